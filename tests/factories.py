"""Factories for the whole suite: believable records with the fewest required choices."""

import datetime

import factory
from django.utils import timezone

from accounts.models import ApiToken
from vendorgov.roles import Role
from vendors import choices, models


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Vendor

    name = factory.Sequence(lambda n: f"Vendor {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    tier = choices.Tier.TACTICAL
    status = choices.VendorStatus.ACTIVE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.LINE_MANAGER
    password = factory.django.Password("correct horse battery staple")


class VendorUserFactory(UserFactory):
    role = Role.VENDOR_USER
    vendor = factory.SubFactory(VendorFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.VendorAssignment

    vendor = factory.SubFactory(VendorFactory)
    user = factory.SubFactory(UserFactory)
    role = choices.AssignmentRole.LINE_MANAGER


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Service

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contract

    vendor = factory.SubFactory(VendorFactory)
    reference = factory.Sequence(lambda n: f"C-{2026}-{n:03d}")
    title = "Managed services agreement"
    start_date = datetime.date(2025, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    value = 1_200_000
    currency = choices.Currency.EUR
    renewal_notice_days = 180


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contact

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Faker("name")
    role = choices.ContactRole.ACCOUNT_EXECUTIVE
    email = factory.Faker("email")
    escalation_level = choices.EscalationLevel.ACCOUNT_EXECUTIVE


class PrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GuidingPrinciple

    vendor = factory.SubFactory(VendorFactory)
    title = factory.Sequence(lambda n: f"Principle {n}")
    text = "We share bad news early and fix problems together."


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StaffMember

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Faker("name")
    role = "Application engineer"
    started_on = datetime.date(2025, 3, 1)


class StaffingChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StaffingChange

    vendor = factory.SubFactory(VendorFactory)
    kind = choices.StaffingChangeKind.ADD
    requested_by_side = choices.Side.OURS
    new_person_name = "A. Newcomer"
    new_person_role = "Tester"
    reason = "More testing capacity before the release."


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """Use `ApiTokenFactory.with_raw(user)` to get the raw secret too."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "test token"
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def with_raw(cls, user, **kwargs) -> tuple[ApiToken, str]:
        unsaved, raw = ApiToken.issue()
        return cls(user=user, prefix=unsaved.prefix, key_hash=unsaved.key_hash, **kwargs), raw

    @classmethod
    def client_for(cls, user, **kwargs):
        """An API client that sends a new token of `user` with every request."""
        from rest_framework.test import APIClient

        _, raw = cls.with_raw(user, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client
