"""The warning signs of the vendors the caller sees, read-only. Open signs only (dismissed
ones too, marked); computed by the periodic job, never by the request.

Vendor users get none, not even about their own vendor (an empty list, 404 for an id): a
warning sign is our reading of the relationship, see `signs.selectors`."""

from drf_spectacular.utils import extend_schema

from signs import selectors
from signs.api import filtersets, serializers
from signs.models import Sign
from vendors.api.viewsets import VendorScopedReadOnlyViewSet


@extend_schema(tags=["warning signs"])
class SignViewSet(VendorScopedReadOnlyViewSet):
    """Open warning signs, worst first, each with the evidence that raised it."""

    queryset = Sign.objects.open().select_related("vendor")
    serializer_class = serializers.SignSerializer
    filterset_class = filtersets.SignFilterSet
    ordering_fields = ["severity_rank", "strength", "raised_at", "vendor"]

    def get_queryset(self):
        rows = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return rows
        return rows if selectors.may_see_signs(self.request.user) else rows.none()
