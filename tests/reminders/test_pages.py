"""The reminder pages: the vendor managers' log, schedule and kind settings, a person's
choices on their profile, and the unsubscribe link that needs no sign-in."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reminders import links, outbox, upcoming
from reminders.choices import Delivery, Status
from reminders.forms import field_name
from reminders.models import BouncedAddress, KindSetting, Preference, Reminder, UpcomingRun
from tests.factories import ContactFactory
from tests.governance.factories import action_item
from tests.reminders.kinds import ITEM_DUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(item_kind, vendor_a, line_manager):
    """Two reminders for Liam about vendor A's items: one sent, one failed."""
    for title in ("Capacity plan", "Rota"):
        action_item(vendor_a, owner=line_manager, title=title,
                    due_on=timezone.localdate() + timedelta(days=1))
    outbox.sweep()
    outbox.send_due()
    failed = Reminder.objects.order_by("id").last()
    Reminder.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=5,
                                                 last_error="SMTPRecipientsRefused: nope")
    return Reminder.objects.order_by("id")


def test_the_log_shows_what_was_sent_to_whom_and_what_failed_and_why(client, vendor_manager,
                                                                     sent):
    client.force_login(vendor_manager)

    page = client.get(reverse("reminders:log")).content.decode()

    assert "Test: action items due" in page and "liam@example.org" in page
    assert "SMTPRecipientsRefused: nope" in page and "1 failed" in page
    assert "Send again" in page


def test_the_log_filters_by_status_and_exports_exactly_that_as_csv(client, vendor_manager,
                                                                   sent):
    client.force_login(vendor_manager)

    csv = client.get(reverse("reminders:log"), {"status": "failed", "format": "csv"})

    lines = csv.content.decode().strip().splitlines()
    assert lines[0].startswith("Id,Kind,Occasion")
    assert len(lines) == 2 and "SMTPRecipientsRefused" in lines[1]


def test_only_vendor_managers_open_the_log(client, line_manager):
    client.force_login(line_manager)
    assert client.get(reverse("reminders:log")).status_code == 403


def test_scheduled_next_lists_what_the_next_sweeps_will_send(client, vendor_manager,
                                                             item_kind, vendor_a,
                                                             line_manager):
    action_item(vendor_a, owner=line_manager, title="Budget",
                due_on=timezone.localdate() + timedelta(days=5))
    upcoming.refresh()
    client.force_login(vendor_manager)

    page = client.get(reverse("reminders:scheduled"), {"days": 7}).content.decode()
    soon = client.get(reverse("reminders:scheduled"), {"days": 1}).content.decode()

    assert "Budget" in page and "liam@example.org" in page
    assert "Budget" not in soon
    assert Reminder.objects.count() == 0  # looking ahead records nothing


def test_the_snapshot_holds_exactly_what_the_kinds_find(item_kind, vendor_a, vendor_manager,
                                                       line_manager):
    for owner, title in ((line_manager, "Budget"), (vendor_manager, "Rota"),
                         (line_manager, "Exit plan")):
        action_item(vendor_a, owner=owner, title=title,
                    due_on=timezone.localdate() + timedelta(days=3))
    now = timezone.now()
    found = upcoming.scheduled_next(now=now, days=upcoming.DAYS)

    run = upcoming.refresh(now=now)

    shown = list(upcoming.items(run, now=now, days=upcoming.DAYS))
    fields = ("kind", "kind_label", "occasion", "recipient_key", "name", "email", "vendor_id",
              "vendor_name", "due_at", "url", "title")
    assert len(found) == 3
    assert [tuple(getattr(u, f) for f in fields) for u in shown] == [
        tuple(getattr(s, f) for f in fields) for s in found]


def test_a_new_snapshot_replaces_the_last_and_what_is_recorded_since_drops_out(
        item_kind, vendor_a, line_manager):
    action_item(vendor_a, owner=line_manager, title="Budget",
                due_on=timezone.localdate() + timedelta(days=3))
    first = upcoming.refresh()
    second = upcoming.refresh()
    assert list(UpcomingRun.objects.all()) == [second] and first.pk != second.pk
    assert upcoming.items(second, days=7).count() == 1

    outbox.sweep(now=timezone.now() + timedelta(days=7))  # the sweep records it

    assert upcoming.items(second, days=7).count() == 0


def test_the_pages_say_the_snapshot_is_being_prepared_before_the_first(
        client, vendor_manager, item_kind, vendor_a, line_manager):
    action_item(vendor_a, owner=line_manager, title="Budget",
                due_on=timezone.localdate() + timedelta(days=3))
    cache.delete("reminders:upcoming-queued")
    client.force_login(vendor_manager)

    page = client.get(reverse("reminders:scheduled")).content.decode()

    assert "is being prepared (just queued)" in page and "Budget" not in page
    assert "being prepared (just queued)" not in client.get(
        reverse("reminders:scheduled")).content.decode()  # queued once, not per view
    upcoming.refresh()
    page = client.get(reverse("reminders:scheduled")).content.decode()
    assert "Budget" in page and "when this list was made" in page


def test_a_vendor_manager_changes_a_kinds_lead_time(client, vendor_manager, item_kind):
    client.force_login(vendor_manager)
    url = reverse("reminders:kind_update", args=[ITEM_DUE.key])

    form = client.get(url).content.decode()
    response = client.post(url, {"days": 3, "hours": 4})

    assert "Mandatory" not in form  # an administrator's decision
    assert response.status_code == 302
    assert KindSetting.objects.get(kind=ITEM_DUE.key).offset == timedelta(days=3, hours=4)


def test_an_administrator_makes_a_kind_mandatory(client, vendor_manager, item_kind):
    vendor_manager.is_superuser = True
    vendor_manager.save()
    client.force_login(vendor_manager)

    client.post(reverse("reminders:kind_update", args=[ITEM_DUE.key]),
                {"days": 2, "hours": 0, "mandatory": "on"})

    assert KindSetting.objects.get(kind=ITEM_DUE.key).mandatory is True


def test_the_profile_shows_a_persons_reminders_and_their_choices(client, sent, line_manager):
    client.force_login(line_manager)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "Your reminder emails" in page and "Test: action items due" in page
    assert "Recently sent to you" in page and "sent" in page


def test_the_profile_shows_what_is_coming_up_from_the_snapshot(client, item_kind, vendor_a,
                                                               line_manager):
    action_item(vendor_a, owner=line_manager, title="Budget",
                due_on=timezone.localdate() + timedelta(days=5))
    client.force_login(line_manager)
    before = client.get(reverse("accounts:profile")).content.decode()

    upcoming.refresh()
    after = client.get(reverse("accounts:profile")).content.decode()

    assert "is being worked out" in before and "· Acme Outsourcing</li>" not in before
    assert "As planned at" in after and "· Acme Outsourcing</li>" in after


def test_a_person_switches_a_kind_from_immediate_to_their_digest(client, item_kind,
                                                                 line_manager):
    client.force_login(line_manager)

    response = client.post(reverse("reminders:preferences"), {
        field_name(ITEM_DUE.key): "digest", "digest_time": "07:30",
        "time_zone": "America/Chicago"})

    assert response.status_code == 302
    preference = Preference.objects.get()
    assert (preference.kind, preference.delivery) == (ITEM_DUE.key, Delivery.DIGEST)
    assert str(preference.subscriber.digest_time) == "07:30:00"
    line_manager.refresh_from_db()
    assert line_manager.time_zone == "America/Chicago"


def test_turning_off_a_mandatory_kind_is_refused_next_to_the_field(client, item_kind,
                                                                   line_manager):
    KindSetting.objects.create(kind=ITEM_DUE.key, mandatory=True)
    client.force_login(line_manager)

    response = client.post(reverse("reminders:preferences"), {
        field_name(ITEM_DUE.key): "off", "digest_time": "08:00", "time_zone": "UTC"})

    assert response.status_code == 200
    assert not Preference.objects.exists()


def test_a_vendor_contact_without_an_account_chooses_through_the_link(client, item_kind,
                                                                      vendor_a):
    contact = ContactFactory(vendor=vendor_a, email="pat@acme.example")
    url = links.unsubscribe_url(f"contact:{contact.pk}", [ITEM_DUE.key])

    page = client.get(url)
    saved = client.post(url, {field_name(ITEM_DUE.key): "digest", "digest_time": "09:00",
                              "time_zone": "Asia/Kolkata"})

    assert page.status_code == 200
    assert page.context["form"][field_name(ITEM_DUE.key)].initial == "off"
    assert saved.status_code == 302
    preference = Preference.objects.get()
    assert preference.delivery == Delivery.DIGEST
    assert preference.subscriber.time_zone == "Asia/Kolkata"


def test_one_click_unsubscribe_turns_the_kind_off_without_sign_in_or_csrf(item_kind,
                                                                          vendor_a):
    from django.test import Client  # noqa: I001 - beside its use: a client that checks CSRF

    client = Client(enforce_csrf_checks=True)
    url = links.unsubscribe_url("email:ops@example.org", [ITEM_DUE.key])

    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Preference.objects.get().delivery == Delivery.OFF


def test_one_click_unsubscribe_from_a_mandatory_kind_keeps_it(client, item_kind):
    KindSetting.objects.create(kind=ITEM_DUE.key, mandatory=True)
    url = links.unsubscribe_url("email:ops@example.org", [ITEM_DUE.key])

    client.post(url, {"List-Unsubscribe": "One-Click"})
    page = client.get(url).content.decode()

    assert not Preference.objects.exists()
    assert "Mandatory: it cannot be turned off." in page


def test_a_tampered_link_changes_nothing(client, item_kind):
    genuine = links.token("email:ops@example.org", [ITEM_DUE.key])
    payload, signature = genuine.rsplit(":", 1)
    other = links.token("email:boss@example.org", [ITEM_DUE.key]).rsplit(":", 1)[0]
    forged = reverse("reminders:unsubscribe", args=[f"{other}:{signature}"])
    assert payload != other

    response = client.post(forged, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 404
    assert not Preference.objects.exists()


def test_the_link_in_an_email_opens_that_persons_choices(client, sent):
    message = mail.outbox[0]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")

    page = client.get(url.replace("http://127.0.0.1:8000", ""))

    assert page.status_code == 200 and "Test: action items due" in page.content.decode()


def test_a_failed_reminder_is_sent_again_from_the_log(client, vendor_manager, sent,
                                                      django_capture_on_commit_callbacks):
    failed = sent.get(status=Status.FAILED)
    client.force_login(vendor_manager)

    client.post(reverse("reminders:send_again", args=[failed.pk]))
    outbox.send_due()

    failed.refresh_from_db()
    assert failed.status == Status.SENT


def test_an_address_is_marked_bounced_then_cleared(client, vendor_manager):
    client.force_login(vendor_manager)

    client.post(reverse("reminders:bounce_add"), {"email": "Gone@Example.org",
                                                  "note": "550 no such user"})
    page = client.get(reverse("reminders:log")).content.decode()
    bounced = BouncedAddress.objects.get()
    client.post(reverse("reminders:bounce_clear", args=[bounced.pk]))

    assert "gone@example.org" in page and "550 no such user" in page
    assert not BouncedAddress.objects.exists()


def test_the_log_is_in_the_vendor_managers_navigation(client, vendor_manager, line_manager):
    client.force_login(vendor_manager)
    assert reverse("reminders:log") in client.get(reverse("home")).content.decode()
    client.force_login(line_manager)
    assert reverse("reminders:log") not in client.get(reverse("home")).content.decode()




def test_the_log_shows_times_in_the_viewers_time_zone(client, vendor_manager, vendor_a):
    from datetime import UTC, datetime  # noqa: I001 - beside its use

    vendor_manager.time_zone = "Asia/Tokyo"
    vendor_manager.save()
    at = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    Reminder.objects.create(kind="tests.x", occasion="x:1", recipient_key="email:a@b.example",
                            email="a@b.example", vendor=vendor_a, due_at=at, not_before=at)
    client.force_login(vendor_manager)

    page = client.get(reverse("reminders:log")).content.decode()

    assert "Tue 1 Jan 2030, 09:00" in page and "Asia/Tokyo" in page


def test_a_failed_reminders_problem_card_links_to_its_row_in_the_log(client, vendor_manager,
                                                                     sent):
    failed = sent.get(status=Status.FAILED)
    client.force_login(vendor_manager)

    page = client.get(failed.get_absolute_url())

    assert list(page.context["page"]) == [failed]
