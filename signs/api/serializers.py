"""API shape of warning signs (read-only)."""

from rest_framework import serializers

from signs.models import Sign


class EvidenceSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField(help_text="The page of the record behind it (a path on this "
                                          "site), or empty.")


class SignSerializer(serializers.ModelSerializer):
    vendor = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")
    evidence = EvidenceSerializer(many=True, read_only=True)
    dismissed = serializers.SerializerMethodField(
        help_text="Under a dismissal that still runs (until `dismissed_until`).")

    class Meta:
        model = Sign
        fields = ["id", "vendor", "rule", "severity", "title", "evidence", "strength",
                  "raised_at", "last_seen_at", "dismissed", "dismissed_until",
                  "dismissal_reason"]
        read_only_fields = fields

    def get_dismissed(self, sign: Sign) -> bool:
        return sign.is_dismissed()
