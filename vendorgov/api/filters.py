"""Filter backends for API collections."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters


class SearchFilter(filters.SearchFilter):
    """`?search=`, whose bad values (e.g. a NUL character) are a 400 naming the parameter,
    like every other field error."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({self.search_param: exc.detail}) from exc


FILTER_BACKENDS = [DjangoFilterBackend, SearchFilter, filters.OrderingFilter]
