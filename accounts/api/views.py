from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.serializers import ApiTokenCreatedSerializer, ApiTokenSerializer, MeSerializer
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from vendorgov.api.schema import AutoSchema


@extend_schema(tags=["accounts"])
class MeView(generics.RetrieveAPIView):
    """Who the caller is: username, roles, and their vendor (vendor users) or null."""

    serializer_class = MeSerializer
    schema = AutoSchema()

    def get_object(self):
        return self.request.user


@extend_schema(tags=["tokens"])
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The caller's own personal API tokens. Revoke with POST …/{id}/revoke/; tokens are
    never deleted, so their use stays traceable."""

    serializer_class = ApiTokenSerializer
    filter_backends = []
    lookup_value_regex = "[^/]+"
    schema = AutoSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A token made with a token is bound by it (accounts.services.api_token_create).
        parent = request.auth if isinstance(request.auth, ApiToken) else None
        token, raw = api_token_create(user=request.user, parent=parent,
                                      **serializer.validated_data)
        created = ApiTokenCreatedSerializer(token, context={"raw_token": raw})
        return Response(created.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, summary="Revoke a token; it stops working at once")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = api_token_revoke(token=self.get_object())
        return Response(self.get_serializer(token).data)
