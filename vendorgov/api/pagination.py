from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` (at most 1000), with the total count in every page."""

    page_size_query_param = "page_size"
    max_page_size = 1000
