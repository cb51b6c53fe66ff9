from rest_framework import serializers

from accounts.models import ApiToken, User
from vendorgov.api.fields import StrictModelSerializer
from vendorgov.roles import Role


class MeSerializer(StrictModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices),
                                  read_only=True)
    vendor = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="For vendor users, the id of the vendor they belong to; else null.")

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "roles", "vendor"]
        read_only_fields = fields


class ApiTokenSerializer(StrictModelSerializer):
    """A token as its owner sees it later: never the secret, only its prefix."""

    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at",
                  "revoked_at", "is_active"]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The answer to creating a token: the only time the secret is shown."""

    token = serializers.SerializerMethodField(
        help_text="The secret, shown this once: send it as `Authorization: Bearer <token>`.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]

    def get_token(self, token) -> str:
        return self.context["raw_token"]
