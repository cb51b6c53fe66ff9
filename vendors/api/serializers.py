"""API representations of vendors and their records. Shapes and input checks only: writes
go through `vendors.services` (see vendors.api.views)."""

from collections import defaultdict

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vendorgov.api.fields import (
    IdentityUrlField,
    StrictCharField,
    StrictChoiceField,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSlugField,
)
from vendorgov.api.lists import PageListSerializer
from vendors import access
from vendors.access import Action
from vendors.choices import StaffingChangeStatus
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


class VisiblePrimaryKeyRelatedField(StrictPrimaryKeyRelatedField):
    """Accepts only records the caller may see. Any other id gets the same "Invalid pk"
    error as an id that does not exist, so the answer never reveals what exists."""

    def get_queryset(self):
        request = self.context.get("request")
        return access.restrict(super().get_queryset(), getattr(request, "user", None),
                               Action.VIEW)


class VendorScopedSerializer(StrictModelSerializer):
    """A record that belongs to one vendor: `vendor` is the vendor's id, chosen when the
    record is created; records never move between vendors."""

    vendor = VisiblePrimaryKeyRelatedField(queryset=Vendor.objects.all(),
                                           help_text="The vendor's id.")

    def validate_vendor(self, vendor):
        if self.instance is not None and vendor.pk != self.instance.vendor_id:
            raise serializers.ValidationError("A record cannot move to another vendor.")
        return vendor


class VendorSerializer(StrictModelSerializer):
    url = IdentityUrlField(view_name="vendor-detail")
    slug = StrictSlugField(
        max_length=120, required=False,
        help_text="Used in addresses; made from the name when left out.")

    class Meta:
        model = Vendor
        fields = ["id", "url", "name", "slug", "description", "website", "tier", "criticality",
                  "status", "suggestion_quota_per_quarter", "created_at", "archived_at"]
        read_only_fields = ["created_at", "archived_at"]

    def validate_name(self, name):
        # The database compares names case-insensitively; say so on the field, not as a
        # conflict. Only vendor managers write vendors, and they see every vendor.
        taken = Vendor.objects.filter(name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("A vendor with this name already exists.")
        return name

    def validate_slug(self, slug):
        taken = Vendor.objects.filter(slug=slug)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("A vendor with this slug already exists.")
        return slug


class ServiceSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="service-detail")

    class Meta:
        model = Service
        fields = ["id", "url", "vendor", "name", "description", "archived_at"]
        read_only_fields = ["archived_at"]


class ContractSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="contract-detail")
    renewal_notice_date = serializers.DateField(
        read_only=True, help_text="The day renewal or exit must be notified by.")

    class Meta:
        model = Contract
        fields = ["id", "url", "vendor", "reference", "title", "start_date", "end_date", "value",
                  "currency", "renewal_notice_days", "renewal_notice_date", "notes",
                  "archived_at"]
        read_only_fields = ["archived_at"]


class ContactSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="contact-detail")

    class Meta:
        model = Contact
        fields = ["id", "url", "vendor", "name", "role", "email", "phone", "escalation_level",
                  "notes", "archived_at"]
        read_only_fields = ["archived_at"]


class AssignmentSerializer(StrictModelSerializer):
    url = IdentityUrlField(view_name="assignment-detail")
    vendor = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The vendor's id.")
    user = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The person's user id.")
    user_name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = VendorAssignment
        fields = ["id", "url", "vendor", "user", "user_name", "role", "assigned_at"]
        read_only_fields = fields


class PrincipleRevisionSerializer(serializers.Serializer):
    """One version of a guiding principle, as it read when that version was made."""

    version = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    changed_at = serializers.DateTimeField(source="history_date")
    changed_by = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_changed_by(self, record) -> str | None:
        return str(record.history_user) if record.history_user else None


def attach_revisions(principles: list[GuidingPrinciple]) -> None:
    """Set `_revisions` on each principle: the first history record of each version."""
    by_principle = defaultdict(dict)
    records = (GuidingPrinciple.history.filter(id__in=[p.pk for p in principles])
               .select_related("history_user").order_by("history_date", "history_id"))
    for record in records:
        by_principle[record.id].setdefault(record.version, record)
    for principle in principles:
        versions = by_principle[principle.pk]
        principle._revisions = [versions[v] for v in sorted(versions)]


class PrincipleListSerializer(PageListSerializer):
    """Fetches the revisions of a whole page of principles in one query."""

    attach = staticmethod(attach_revisions)


class GuidingPrincipleSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="guiding-principle-detail")
    revisions = serializers.SerializerMethodField()
    reason = StrictCharField(
        write_only=True, required=False, allow_blank=True, max_length=100,
        help_text="Why the text changes; kept with the revision.")

    class Meta:
        model = GuidingPrinciple
        list_serializer_class = PrincipleListSerializer
        fields = ["id", "url", "vendor", "title", "text", "position", "version", "revisions",
                  "reason", "archived_at"]
        read_only_fields = ["version", "archived_at"]

    @extend_schema_field(PrincipleRevisionSerializer(many=True))
    def get_revisions(self, principle):
        if not hasattr(principle, "_revisions"):
            attach_revisions([principle])
        return PrincipleRevisionSerializer(principle._revisions, many=True).data


class StaffMemberSerializer(VendorScopedSerializer):
    url = IdentityUrlField(view_name="staff-detail")
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = StaffMember
        fields = ["id", "url", "vendor", "name", "role", "email", "allocation_percent",
                  "started_on", "ended_on", "is_current", "archived_at"]
        read_only_fields = ["archived_at"]


class StaffingChangeSerializer(VendorScopedSerializer):
    """Kind, vendor and the person concerned are fixed once requested; the outcome is set
    with the `resolve` action. Vendor users' requests are always from the vendor side."""

    url = IdentityUrlField(view_name="staffing-change-detail")
    staff_member = VisiblePrimaryKeyRelatedField(
        queryset=StaffMember.objects.all(), allow_null=True, required=False,
        help_text="Who leaves or is replaced (for 'remove' and 'replace').")
    requested_by = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Who asked, if known.")
    is_open = serializers.BooleanField(read_only=True)
    age_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = StaffingChange
        fields = ["id", "url", "vendor", "kind", "requested_by_side", "staff_member",
                  "new_person_name", "new_person_role", "reason", "status", "requested_by",
                  "requested_on", "needed_by", "resolved_on", "resolution_note", "is_open",
                  "age_days"]
        read_only_fields = ["status", "requested_by", "requested_on", "resolved_on",
                            "resolution_note"]
        extra_kwargs = {"requested_by_side": {"required": False,
                                              "help_text": "Defaults to 'ours'; always "
                                                           "'vendor' for vendor users."}}

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("kind", "staff_member"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: "Fixed once requested; withdraw this request and make a new one."})
        requested_on = self.instance.requested_on if self.instance else timezone.localdate()
        needed_by = attrs.get("needed_by")
        if needed_by and needed_by < requested_on:
            raise serializers.ValidationError(
                {"needed_by": "The date needed must not be before the request date."})
        return attrs


class StaffingChangeResolveSerializer(serializers.Serializer):
    status = StrictChoiceField(
        choices=[c for c in StaffingChangeStatus.choices
                 if c[0] != StaffingChangeStatus.REQUESTED])
    note = StrictCharField(required=False, allow_blank=True, default="")
    new_person_name = StrictCharField(
        required=False, allow_blank=True, default="", max_length=120,
        help_text="Who joins, for 'add' and 'replace' when it is done.")
