"""The base of every vendor-scoped API resource: scoping, write rights and archiving,
configured per resource and decided by `vendors.access`.

Feature apps build their resources on these classes, so the rules hold everywhere:
records outside the caller's scope are 404 (never 403), visible records the caller may
not change are 403, and governance records are archived instead of deleted.
"""

from django.db.models import Model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from vendorgov.api.filters import FILTER_BACKENDS
from vendorgov.api.schema import AutoSchema
from vendors import access, services
from vendors.access import Action
from vendors.api.permissions import VendorActionPermission


class VendorScopedReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                  viewsets.GenericViewSet):
    """List and detail of the records whose vendor the caller may see."""

    permission_classes = [permissions.IsAuthenticated, VendorActionPermission]
    schema = AutoSchema()
    filter_backends = FILTER_BACKENDS
    # Any id-like segment reaches the view, so even "1.5" is a JSON 404, not an HTML one.
    lookup_value_regex = "[^/]+"
    #: The right needed to create or change records, unless `action_rights` says otherwise.
    write_action: Action = Action.MANAGE
    #: Overrides per viewset action, e.g. {"create": Action.REQUEST_STAFFING}.
    action_rights: dict[str, Action] = {}

    #: The related records a list's rows need, when fewer than a record's actions need
    #: (None: the queryset's own): each joined record is one more model built per row.
    list_select_related: tuple[str, ...] | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return queryset.none()
        if self.action == "list" and self.list_select_related is not None:
            queryset = queryset.select_related(None)
            if self.list_select_related:
                queryset = queryset.select_related(*self.list_select_related)
        return access.restrict(queryset, self.request.user, Action.VIEW)

    def filter_queryset(self, queryset):
        # Filters (the default "not archived" included) narrow lists; a record's own
        # address and its actions find it whatever its state.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def required_action(self) -> Action:
        return self.action_rights.get(self.action, self.write_action)

    def may_create(self) -> bool:
        """May the caller create this kind of record for at least one vendor?"""
        return access.vendor_ids(self.request.user, self.required_action()) != set()


class VendorScopedViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                          VendorScopedReadOnlyViewSet):
    """Create and update through `vendors.services`; no DELETE (archive instead).

    The serializer's `vendor` field only accepts vendors the caller can see, so naming
    any other vendor is the same 400 as naming one that does not exist."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        vendor = serializer.validated_data["vendor"]
        self.check_object_permissions(self.request, vendor)
        serializer.instance = self.create_record(dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self.update_record(serializer.instance,
                                                 dict(serializer.validated_data))

    def create_record(self, data: dict) -> Model:
        return services.record_create(self.get_queryset().model, by=self.request.user, **data)

    def update_record(self, instance: Model, data: dict) -> Model:
        return services.record_update(instance, by=self.request.user, **data)


class ArchiveActionsMixin:
    """POST …/{id}/archive/ and …/{id}/restore/, with the viewset's write right."""

    @extend_schema(request=None, summary="Archive: leaves default lists, keeps its history")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        record = services.record_archive(self.get_object(), by=request.user)
        return Response(self.get_serializer(record).data)

    @extend_schema(request=None, summary="Restore an archived record")
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        record = services.record_restore(self.get_object(), by=request.user)
        return Response(self.get_serializer(record).data)
