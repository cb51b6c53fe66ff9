"""The API's fast representation (vendorgov/api/representation.py) answers byte for byte as
DRF's own `Serializer.to_representation` does, on every list and every record of the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from governance import services
from governance.models import Meeting
from tests import test_isolation
from tests.factories import ApiTokenFactory, UserFactory
from tests.shared_data import built_once
from tests.vendorgov.test_query_counts import API_LISTS
from vendorgov.api.representation import FastRepresentationMixin
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def _build():
    world = test_isolation._build_world()
    vera = UserFactory(username="vera-representation", role=Role.VENDOR_MANAGER)
    # A held meeting of each vendor, so that its decisions are published in the lists.
    for vendor in (world.a, world.b):
        meeting = (Meeting.objects.filter(vendor=vendor, decisions__isnull=False)
                   .order_by("pk").first())
        if meeting.starts_at > timezone.now():  # held only from its day: move it to yesterday
            length = meeting.ends_at - meeting.starts_at
            meeting.starts_at = timezone.now() - timedelta(days=1)
            meeting.ends_at = meeting.starts_at + length
            meeting.save(update_fields=["starts_at", "ends_at"])
        services.meeting_hold(meeting, by=vera)
    return {who: ApiTokenFactory.client_for(user)
            for who, user in (("vendor token", world.b_people["charlie"]),
                              ("internal token", vera))}


@pytest.fixture(scope="module")
def clients(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _build)


def _drf_own(self, instance):
    return serializers.Serializer.to_representation(self, instance)


@pytest.mark.parametrize("name", API_LISTS)
@pytest.mark.parametrize("who", ["vendor token", "internal token"])
def test_lists_and_records_answer_exactly_as_drf_would(clients, monkeypatch, who, name):
    client = clients[who]
    fast = client.get(reverse(name), {"page_size": 100})
    assert fast.status_code == 200, fast.content
    records = [row["url"] for row in fast.json()["results"] if "url" in row]
    fast_records = [client.get(url).content for url in records]
    with monkeypatch.context() as patch:
        patch.setattr(FastRepresentationMixin, "to_representation", _drf_own)
        drf = client.get(reverse(name), {"page_size": 100})
        drf_records = [client.get(url).content for url in records]
    assert fast.content == drf.content
    assert fast_records == drf_records
    if who == "internal token" and name in ("vendor-list", "sla-list", "meeting-list",
                                            "sla-evaluation-list", "action-item-list"):
        assert fast.json()["results"], "the comparison saw no row"
    if name == "meeting-list":
        assert any(row["decisions"] for row in fast.json()["results"]), "no decision seen"
    if name == "sla-list":
        assert any(v["service_levels"] for row in fast.json()["results"]
                   for v in row["versions"]), "no service level seen"


def test_a_list_builds_its_serializers_fields_from_the_model_once(clients, monkeypatch):
    # ModelSerializer builds each field from the model on every serializer; a serializer
    # that only represents copies prototypes built once per class (a third of a short
    # list's time).
    client = clients["internal token"]
    for name in API_LISTS:  # every list's serializer has its prototypes
        assert client.get(reverse(name), {"page_size": 5}).status_code == 200
    built = []
    original = serializers.ModelSerializer.build_field

    def build_field(self, *args):
        built.append((type(self), args[0]))
        return original(self, *args)

    monkeypatch.setattr(serializers.ModelSerializer, "build_field", build_field)
    for name in API_LISTS:
        assert client.get(reverse(name), {"page_size": 5}).status_code == 200
    assert built, "the spy saw no serializer of DRF's own"  # (healthchecks, signs)
    assert [(kind.__name__, field) for kind, field in built
            if issubclass(kind, FastRepresentationMixin)] == []


def test_copied_fields_belong_to_their_own_request(clients):
    # The copies are bound to each request's serializer: a record's address is built from
    # the request it answers, never from the one that built the prototypes.
    client = clients["internal token"]
    first = client.get(reverse("vendor-list"), HTTP_HOST="localhost")
    second = client.get(reverse("vendor-list"), HTTP_HOST="127.0.0.1")
    nested = client.get(reverse("impediment-list"), {"page_size": 100},
                        HTTP_HOST="127.0.0.1")
    assert first.json()["results"][0]["url"].startswith("http://localhost/")
    assert second.json()["results"][0]["url"].startswith("http://127.0.0.1/")
    assert all(row["url"].startswith("http://127.0.0.1/")
               for row in nested.json()["results"])


def test_a_serializer_given_data_builds_its_own_fields():
    # Validation never shares a field with another request's serializer.
    from vendors.api.serializers import VendorSerializer

    reading, writing = VendorSerializer(), VendorSerializer(data={"name": "x"})
    assert reading.fields["name"] is not VendorSerializer().fields["name"]
    assert not set(map(id, writing.fields.values())) & set(map(id, reading.fields.values()))
    assert writing.fields["name"].parent is writing


def _context():
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    return {"request": Request(APIRequestFactory().get("/api/v1/vendors/"))}


def test_a_later_serializer_binds_only_the_fields_that_answer_to_their_request(db):
    # How a class represents a model is worked out once: later serializers bind only the
    # record's address (its request's host) and answer exactly as the first.
    from tests.factories import VendorFactory
    from vendors.api.serializers import VendorSerializer

    vendors = [VendorFactory(), VendorFactory()]
    first = VendorSerializer(vendors, many=True, context=_context()).data
    later = VendorSerializer(vendors, many=True, context=_context())
    assert later.data == first
    assert "fields" not in later.child.__dict__  # no field built for it but the address
    drf = [serializers.Serializer.to_representation(VendorSerializer(context=_context()), v)
           for v in vendors]
    assert [dict(row) for row in later.data] == [dict(row) for row in drf]


def test_a_serializer_that_changes_its_own_fields_is_answered_from_them(db):
    from tests.factories import VendorFactory
    from vendors.api.serializers import VendorSerializer

    class Narrow(VendorSerializer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields.pop("description")

    vendor = VendorFactory()
    assert "description" in VendorSerializer(vendor, context=_context()).data
    for _ in range(2):
        assert "description" not in Narrow(vendor, context=_context()).data


def test_times_are_written_in_the_zone_of_each_request(db):
    import zoneinfo

    from django.utils import timezone as tz

    from tests.factories import VendorFactory
    from vendors.api.serializers import VendorSerializer

    vendor = VendorFactory()
    utc = VendorSerializer(vendor, context=_context()).data["created_at"]
    with tz.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        tokyo = VendorSerializer(vendor, context=_context()).data["created_at"]
    again = VendorSerializer(vendor, context=_context()).data["created_at"]
    assert tokyo.endswith("+09:00") and again == utc != tokyo
