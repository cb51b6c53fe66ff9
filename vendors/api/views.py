"""The vendor API resources: configuration of the scoped base viewsets, one service call
where a resource's writes differ from the plain create/update."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from vendors import access, services
from vendors.access import Action
from vendors.api import filtersets, serializers
from vendors.api.viewsets import (
    ArchiveActionsMixin,
    VendorScopedReadOnlyViewSet,
    VendorScopedViewSet,
)
from vendors.choices import Side
from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    Service,
    StaffingChange,
    StaffMember,
    Vendor,
    VendorAssignment,
)


@extend_schema(tags=["vendors"])
class VendorViewSet(ArchiveActionsMixin, VendorScopedViewSet):
    """Vendors. Vendor managers create and change them; others read the ones they see."""

    queryset = Vendor.objects.all()
    serializer_class = serializers.VendorSerializer
    filterset_class = filtersets.VendorFilterSet
    search_fields = ["name", "slug", "description"]
    ordering_fields = ["name", "tier", "criticality", "status", "created_at"]
    write_action = Action.MANAGE

    def may_create(self) -> bool:
        return access.may_create_vendor(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.vendor_create(by=self.request.user,
                                                     **serializer.validated_data)


@extend_schema(tags=["services"])
class ServiceViewSet(ArchiveActionsMixin, VendorScopedViewSet):
    queryset = Service.objects.all()
    serializer_class = serializers.ServiceSerializer
    filterset_class = filtersets.ServiceFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["name", "vendor"]
    write_action = Action.EDIT


@extend_schema(tags=["contracts"])
class ContractViewSet(ArchiveActionsMixin, VendorScopedViewSet):
    queryset = Contract.objects.all()
    serializer_class = serializers.ContractSerializer
    filterset_class = filtersets.ContractFilterSet
    search_fields = ["reference", "title", "notes"]
    ordering_fields = ["end_date", "start_date", "value", "reference", "vendor"]
    write_action = Action.MANAGE


@extend_schema(tags=["contacts"])
class ContactViewSet(ArchiveActionsMixin, VendorScopedViewSet):
    queryset = Contact.objects.all()
    serializer_class = serializers.ContactSerializer
    filterset_class = filtersets.ContactFilterSet
    search_fields = ["name", "email", "notes"]
    ordering_fields = ["name", "role", "escalation_level", "vendor"]
    write_action = Action.EDIT


@extend_schema(tags=["assignments"])
class AssignmentViewSet(VendorScopedReadOnlyViewSet):
    """Our people assigned to each vendor relationship, and in which role."""

    queryset = VendorAssignment.objects.select_related("user")
    serializer_class = serializers.AssignmentSerializer
    filterset_class = filtersets.AssignmentFilterSet
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    ordering_fields = ["role", "assigned_at", "vendor"]


@extend_schema(tags=["guiding-principles"])
class GuidingPrincipleViewSet(ArchiveActionsMixin, VendorScopedViewSet):
    """Guiding principles of each relationship, with every revision of their text."""

    queryset = GuidingPrinciple.objects.all()
    serializer_class = serializers.GuidingPrincipleSerializer
    filterset_class = filtersets.GuidingPrincipleFilterSet
    search_fields = ["title", "text"]
    ordering_fields = ["position", "title", "version", "vendor"]
    write_action = Action.MANAGE

    def create_record(self, data):
        data.pop("reason", None)
        return super().create_record(data)

    def update_record(self, instance, data):
        return services.principle_revise(
            instance, title=data.get("title", instance.title),
            text=data.get("text", instance.text), position=data.get("position"),
            by=self.request.user, change_reason=data.get("reason", ""))


@extend_schema(tags=["staff"])
class StaffMemberViewSet(ArchiveActionsMixin, VendorScopedViewSet):
    """The vendor's team on our account (the staffing roster)."""

    queryset = StaffMember.objects.all()
    serializer_class = serializers.StaffMemberSerializer
    filterset_class = filtersets.StaffMemberFilterSet
    search_fields = ["name", "role", "email"]
    ordering_fields = ["name", "role", "started_on", "ended_on", "vendor"]
    write_action = Action.EDIT


@extend_schema(tags=["staffing-changes"])
class StaffingChangeViewSet(VendorScopedViewSet):
    """Requests to add, remove or replace people on the vendor's team. Vendor users may
    request changes for their own vendor; the outcome is set with `resolve`."""

    queryset = StaffingChange.objects.all()
    serializer_class = serializers.StaffingChangeSerializer
    filterset_class = filtersets.StaffingChangeFilterSet
    search_fields = ["new_person_name", "new_person_role", "reason", "staff_member__name"]
    ordering_fields = ["requested_on", "needed_by", "resolved_on", "status", "vendor"]
    write_action = Action.EDIT
    action_rights = {"create": Action.REQUEST_STAFFING}

    def create_record(self, data):
        user = self.request.user
        requested_side = data.pop("requested_by_side", Side.OURS)
        side = Side.VENDOR if user.is_vendor_user else requested_side
        return services.staffing_change_request(by=user, side=side, **data)

    @extend_schema(request=serializers.StaffingChangeResolveSerializer,
                   responses=serializers.StaffingChangeSerializer,
                   summary="Set the outcome: agreed, done, declined or withdrawn")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        change = self.get_object()
        outcome = serializers.StaffingChangeResolveSerializer(data=request.data)
        outcome.is_valid(raise_exception=True)
        change = services.staffing_change_resolve(change, by=request.user,
                                                  **outcome.validated_data)
        return Response(self.get_serializer(change).data)
