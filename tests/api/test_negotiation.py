"""Content negotiation remembered per Accept header (vendorgov.api.negotiation): the same
renderer and media type as DRF's own, without parsing the header again."""

import pytest
from django.urls import reverse
from rest_framework.negotiation import DefaultContentNegotiation

from tests.factories import ApiTokenFactory
from vendorgov.api.negotiation import ContentNegotiation

pytestmark = pytest.mark.django_db

ACCEPTS = [None, "application/json", "*/*", "text/html", "application/json; indent=4",
           "text/html;q=0.5, application/json", "application/*", "text/*, */*;q=0.1",
           "image/png"]


@pytest.fixture
def fresh_answers(monkeypatch):
    monkeypatch.setattr(ContentNegotiation, "_answers", {})


@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=xml"])
def test_every_answer_is_drfs_own(line_manager, fresh_answers, monkeypatch, query):
    client = ApiTokenFactory.client_for(line_manager)
    url = reverse("vendor-list") + query

    def answers():
        seen = []
        for accept in ACCEPTS:
            extra = {"HTTP_ACCEPT": accept} if accept else {}
            response = client.get(url, **extra)
            kind = response["Content-Type"]
            # The browsable API's page holds a new CSRF token each time: its kind only.
            seen.append((accept, response.status_code, kind,
                         None if kind.startswith("text/html") else response.content))
        return seen

    first, again = answers(), answers()  # the second round is answered from memory
    with monkeypatch.context() as patch:
        patch.setattr("rest_framework.settings.api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS",
                      DefaultContentNegotiation)
        patch.setattr("rest_framework.views.APIView.content_negotiation_class",
                      DefaultContentNegotiation)
        drf = answers()
    assert first == again == drf


def test_a_header_seen_before_is_not_parsed_again(line_manager, fresh_answers, monkeypatch):
    client = ApiTokenFactory.client_for(line_manager)
    url = reverse("vendor-list")
    assert client.get(url, HTTP_ACCEPT="application/json").status_code == 200
    parsed = []
    real = DefaultContentNegotiation._get_parsed_accept_list
    monkeypatch.setattr(DefaultContentNegotiation, "_get_parsed_accept_list",
                        lambda self, request: parsed.append(1) or real(self, request))
    assert client.get(url, HTTP_ACCEPT="application/json").status_code == 200
    assert parsed == []
    assert client.get(url, HTTP_ACCEPT="text/html").status_code == 200  # a new one is
    assert parsed == [1]
