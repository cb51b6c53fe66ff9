"""A list serializer for records that need more than their own row: it reads what a whole
page needs at once, before any record is represented (Django's per-row prefetch managers
cost most of a list's time)."""

from rest_framework import serializers


class PageListSerializer(serializers.ListSerializer):
    """Subclasses name `attach`: a function given the page's records (a list) that sets on
    each what its representation reads, in a fixed number of queries."""

    @staticmethod
    def attach(records: list) -> None:
        raise NotImplementedError

    def to_representation(self, data):
        records = list(data.all() if hasattr(data, "all") else data)
        self.attach(records)
        return super().to_representation(records)
