"""The outbox: recorded once, sent once, and every reminder not sent says why."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from governance import services as governance
from reminders import outbox, registry, services
from reminders.choices import Delivery, Status
from reminders.models import BouncedAddress, KindSetting, Reminder
from tests.factories import AssignmentFactory, ContactFactory, UserFactory, VendorFactory
from tests.governance.factories import action_item
from tests.reminders.kinds import BROKEN, ITEM_DUE, registered
from vendorgov.models import JobFailure

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor():
    return VendorFactory(name="Meridian", slug="meridian")


@pytest.fixture
def owner(vendor):
    user = UserFactory(username="liam", email="liam@example.org")
    AssignmentFactory(user=user, vendor=vendor)
    return user


def items(vendor, owner, n=3, due_on=None):
    due_on = due_on or timezone.localdate() + timedelta(days=1)
    return [action_item(vendor, owner=owner, title=f"Item {i}", due_on=due_on)
            for i in range(n)]


def test_a_sweep_records_one_row_per_occasion_and_recipient_however_often_it_runs(
        item_kind, vendor, owner):
    items(vendor, owner, 3)

    first = outbox.sweep()
    again = outbox.sweep()

    assert first.inserted == 3 and again.inserted == 0
    assert Reminder.objects.count() == 3
    assert set(Reminder.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_ready_reminders_are_sent_once_as_multipart_mail_with_one_click_unsubscribe(
        item_kind, vendor, owner):
    items(vendor, owner, 2)
    outbox.sweep()

    result = outbox.send_due()
    again = outbox.send_due()

    assert (result.sent, again.sent) == (2, 0)
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.to == ["liam@example.org"]
    assert message.alternatives[0][1] == "text/html"
    assert "/reminders/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "is due" in message.body and "Unsubscribe" in message.body
    assert set(Reminder.objects.values_list("status", flat=True)) == {Status.SENT}
    assert all(r.handing_at and r.sent_at for r in Reminder.objects.all())


def test_a_reminder_is_not_sent_before_its_moment_but_is_recorded_within_the_lookahead(
        item_kind, vendor, owner, settings):
    settings.REMINDERS_LOOKAHEAD_SECONDS = 300
    due_on = date(2030, 3, 4)
    items(vendor, owner, 1, due_on=due_on)
    moment = datetime(2030, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/London"))

    early = outbox.sweep(now=moment - timedelta(minutes=10))
    within = outbox.sweep(now=moment - timedelta(minutes=2))

    assert early.inserted == 0
    assert within.inserted == 1 and within.wake_at == [moment] and within.due_now == 0
    assert outbox.send_due().sent == 0  # now (2026) is long before 2030


def test_an_item_closed_after_its_reminder_was_recorded_is_superseded_not_sent(
        item_kind, vendor, owner):
    item, other = items(vendor, owner, 2)
    outbox.sweep()
    governance.action_item_progress(item, status="done", by=owner)

    outbox.send_due()

    assert len(mail.outbox) == 1
    row = Reminder.objects.get(occasion__startswith=f"action:{item.pk}:")
    assert row.status == Status.SUPERSEDED and "No longer current" in row.last_error


def test_an_archived_vendors_reminders_are_not_sent(item_kind, vendor, owner):
    items(vendor, owner, 1)
    outbox.sweep()
    vendor.archived_at = timezone.now()
    vendor.save()

    outbox.send_due()

    assert mail.outbox == []
    assert Reminder.objects.get().status == Status.SUPERSEDED


def test_a_recipient_without_an_address_is_recorded_and_never_sent(item_kind, vendor):
    contact = ContactFactory(vendor=vendor, email="")
    action_item(vendor, owner=contact, due_on=timezone.localdate() + timedelta(days=1))

    outbox.sweep()
    outbox.send_due()

    row = Reminder.objects.get()
    assert row.status == Status.NO_ADDRESS and row.vendor_side
    assert mail.outbox == []


def test_a_bounced_address_is_not_sent_to(item_kind, vendor, owner, vendor_manager):
    items(vendor, owner, 1)
    outbox.sweep()
    services.address_mark_bounced(email="Liam@Example.org", note="no such mailbox",
                                  by=vendor_manager)

    outbox.send_due()

    assert mail.outbox == []
    assert Reminder.objects.get().status == Status.BOUNCED
    assert BouncedAddress.objects.get().email == "liam@example.org"


def test_a_person_who_turned_a_kind_off_gets_none_unless_it_is_mandatory(
        item_kind, vendor, owner, vendor_manager):
    vendor_manager.is_superuser = True
    items(vendor, owner, 1)
    services.preferences_set(recipient_key=f"user:{owner.pk}",
                             deliveries={ITEM_DUE.key: Delivery.OFF})
    outbox.sweep()
    assert Reminder.objects.get().status == Status.SUPPRESSED

    services.kind_setting_update(kind_key=ITEM_DUE.key, offset=ITEM_DUE.default_offset,
                                 mandatory=True, by=vendor_manager)
    items(vendor, owner, 1)
    outbox.sweep()
    outbox.send_due()

    assert len(mail.outbox) == 1  # the second item: mandatory now, "off" ignored


def test_turning_a_mandatory_kind_off_is_refused(item_kind, owner, vendor_manager):
    vendor_manager.is_superuser = True
    services.kind_setting_update(kind_key=ITEM_DUE.key, offset=timedelta(days=1),
                                 mandatory=True, by=vendor_manager)
    with pytest.raises(Exception, match="mandatory"):
        services.preferences_set(recipient_key=f"user:{owner.pk}",
                                 deliveries={ITEM_DUE.key: Delivery.OFF})


def test_a_changed_lead_time_applies_from_the_next_sweep(item_kind, vendor, owner,
                                                         vendor_manager):
    items(vendor, owner, 1, due_on=timezone.localdate() + timedelta(days=5))
    assert outbox.sweep().inserted == 0  # two days before: not yet

    services.kind_setting_update(kind_key=ITEM_DUE.key, offset=timedelta(days=6),
                                 by=vendor_manager)

    assert outbox.sweep().inserted == 1
    assert KindSetting.objects.get(kind=ITEM_DUE.key).offset == timedelta(days=6)


def test_a_lead_time_of_zero_or_longer_than_a_year_is_handled(item_kind, vendor_manager):
    services.kind_setting_update(kind_key=ITEM_DUE.key, offset=timedelta(0), by=vendor_manager)
    with pytest.raises(Exception, match="At most a year"):
        services.kind_setting_update(kind_key=ITEM_DUE.key, offset=timedelta(days=400),
                                     by=vendor_manager)


def test_a_kind_whose_find_breaks_is_kept_as_a_job_failure_and_the_others_proceed(
        vendor, owner):
    items(vendor, owner, 1)
    with registered(ITEM_DUE, BROKEN):
        result = outbox.sweep()

    assert result.failed_kinds == [BROKEN.key] and result.inserted == 1
    failure = JobFailure.objects.get()
    assert failure.job == outbox.SWEEP_JOB and "broken" in failure.error


class RefusingBackend:
    """A mail backend that refuses every message (an SMTP server saying no)."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server said no")


def test_a_refused_email_is_retried_with_back_off_then_failed_and_surfaced(
        item_kind, vendor, owner, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_outbox.RefusingBackend"
    settings.REMINDERS_MAX_ATTEMPTS = 3
    items(vendor, owner, 1)
    outbox.sweep()

    outbox.send_due()
    row = Reminder.objects.get()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.not_before > timezone.now() + timedelta(seconds=50)
    assert "said no" in row.last_error

    for _ in range(2):
        Reminder.objects.update(not_before=timezone.now())
        outbox.send_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert JobFailure.objects.get(record_id=row.pk).job == outbox.SEND_JOB


def test_a_dead_workers_claim_is_requeued_if_never_handed_and_uncertain_if_handed(
        item_kind, vendor, owner):
    items(vendor, owner, 2)
    outbox.sweep()
    token, rows = outbox.claim(now=timezone.now(), limit=10)
    outbox._begin_handing([rows[0].pk], token)  # the worker died in the backend call
    long_ago = timezone.now() - timedelta(hours=1)
    Reminder.objects.update(claimed_at=long_ago)

    requeued, uncertain = outbox.reclaim()
    outbox.send_due()

    assert (requeued, uncertain) == (1, 1)
    handed, never = Reminder.objects.get(pk=rows[0].pk), Reminder.objects.get(pk=rows[1].pk)
    assert handed.status == Status.UNCERTAIN  # never sent again by itself
    assert never.status == Status.SENT
    assert len(mail.outbox) == 1
    assert JobFailure.objects.get(record_id=handed.pk).job == outbox.SEND_JOB


def test_a_sender_judged_dead_too_early_never_hands_a_row_twice(item_kind, vendor, owner):
    items(vendor, owner, 1)
    outbox.sweep()
    slow_token, _ = outbox.claim(now=timezone.now(), limit=10)
    Reminder.objects.update(claimed_at=timezone.now() - timedelta(hours=1))
    outbox.send_due()  # reclaims, claims again and sends

    assert outbox._begin_handing(list(Reminder.objects.values_list("pk", flat=True)),
                                 slow_token) == 0
    assert len(mail.outbox) == 1


def test_an_uncertain_reminder_is_sent_again_only_when_a_person_says_so(
        item_kind, vendor, owner, vendor_manager, django_capture_on_commit_callbacks):
    items(vendor, owner, 1)
    outbox.sweep()
    token, rows = outbox.claim(now=timezone.now(), limit=10)
    outbox._begin_handing([rows[0].pk], token)
    Reminder.objects.update(claimed_at=timezone.now() - timedelta(hours=1))
    outbox.reclaim()
    outbox.send_due()
    assert mail.outbox == []

    services.reminder_send_again(rows[0], by=vendor_manager)
    outbox.send_due()

    assert len(mail.outbox) == 1
    assert Reminder.objects.get().status == Status.SENT
    assert not JobFailure.objects.filter(resolved_at__isnull=True).exists()


def test_a_meeting_invite_is_attached_as_text_calendar_with_its_method(vendor, owner):
    ics = ("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:m-1\r\nEND:VEVENT\r\n"
           "END:VCALENDAR\r\n")

    def find(now, offset):
        yield registry.Due(occasion="meeting:1:v2", vendor_id=vendor.pk,
                           recipient=registry.Recipient(email="liam@example.org", name="Liam",
                                                        user_id=owner.pk),
                           due_at=now - timedelta(minutes=5), url="/m/1/", ics=ics,
                           context={"title": "Weekly review cancelled"})

    kind = registry.Kind(key="tests.invite", label="Invite", description="d",
                         timing=registry.Timing.BEFORE, default_offset=timedelta(0), find=find)
    with registered(kind):
        outbox.sweep()
        outbox.send_due()

    raw = mail.outbox[0].message().as_string()
    assert 'Content-Type: text/calendar; charset="utf-8"; method="CANCEL"' in raw
    assert "UID:m-1" in mail.outbox[0].message().get_payload()[1].get_payload(decode=True
                                                                               ).decode()
    assert mail.outbox[0].subject == "Weekly review cancelled"


def test_times_in_an_email_are_shown_in_the_recipients_time_zone(item_kind, vendor, owner):
    owner.time_zone = "America/New_York"
    owner.save()
    items(vendor, owner, 1, due_on=timezone.localdate() + timedelta(days=1))
    outbox.sweep()
    outbox.send_due()

    body = mail.outbox[0].body
    assert "EST" in body or "EDT" in body
    assert "America/New_York" in body


@pytest.mark.parametrize("zone,digest_at,expected", [
    ("Europe/London", time(8, 0), datetime(2030, 3, 31, 7, 0, tzinfo=ZoneInfo("UTC"))),
    ("America/New_York", time(8, 0), datetime(2030, 3, 31, 12, 0, tzinfo=ZoneInfo("UTC"))),
    # 01:30 does not exist in London on 31 March 2030: the offset from before the gap.
    ("Europe/London", time(1, 30), datetime(2030, 3, 31, 1, 30, tzinfo=ZoneInfo("UTC"))),
])
def test_the_digest_moment_is_the_persons_time_in_their_zone_once_a_day(zone, digest_at,
                                                                        expected):
    now = datetime(2030, 3, 31, 18, 0, tzinfo=ZoneInfo("UTC"))
    assert outbox.last_digest_moment(now, digest_at, ZoneInfo(zone)) == expected
    day_before = outbox.last_digest_moment(expected - timedelta(seconds=1), digest_at,
                                           ZoneInfo(zone))
    assert timedelta(hours=23) <= expected - day_before <= timedelta(hours=25)


def test_digest_reminders_wait_for_the_persons_digest_time_then_go_in_one_email(
        item_kind, vendor, owner):
    key = f"user:{owner.pk}"
    services.preferences_set(recipient_key=key, deliveries={ITEM_DUE.key: Delivery.DIGEST},
                             digest_time=time(8, 0), time_zone="UTC", user=owner)
    items(vendor, owner, 3, due_on=date(2030, 1, 10))  # due 8 Jan 2030 09:00 London
    outbox.sweep(now=datetime(2030, 1, 8, 9, 30, tzinfo=ZoneInfo("UTC")))
    Reminder.objects.update(due_at=datetime(2030, 1, 8, 9, 0, tzinfo=ZoneInfo("UTC")),
                            not_before=datetime(2030, 1, 8, 9, 0, tzinfo=ZoneInfo("UTC")))

    before = outbox.send_digests(now=datetime(2030, 1, 9, 7, 59, tzinfo=ZoneInfo("UTC")))
    at = outbox.send_digests(now=datetime(2030, 1, 9, 8, 1, tzinfo=ZoneInfo("UTC")))
    again = outbox.send_digests(now=datetime(2030, 1, 9, 8, 6, tzinfo=ZoneInfo("UTC")))

    assert (before.sent, at.sent, again.sent) == (0, 3, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your vendorgov digest: 3 reminders"
    assert set(Reminder.objects.values_list("status", flat=True)) == {Status.DIGESTED}
    assert outbox.send_due().sent == 0  # digest rows never go one by one


def test_a_vendor_contacts_digest_names_no_other_vendor(item_kind, vendor):
    other = VendorFactory(name="Kestrel Secret", slug="kestrel")
    shared = "desk@shared.example"
    for v in (vendor, other):
        contact = ContactFactory(vendor=v, email=shared, name="Shared desk")
        services.preferences_set(recipient_key=f"contact:{contact.pk}",
                                 deliveries={ITEM_DUE.key: Delivery.DIGEST})
        action_item(v, owner=contact, title=f"{v.name} item",
                    due_on=timezone.localdate() + timedelta(days=1))
    outbox.sweep()
    Reminder.objects.update(not_before=timezone.now() - timedelta(days=2))

    outbox.send_digests()

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        text = message.body + message.alternatives[0][0]
        assert ("Kestrel Secret" in text) != ("Meridian" in text)


def test_the_kinds_can_ask_who_already_has_an_occasion(item_kind, vendor, owner):
    items(vendor, owner, 1)
    outbox.sweep()
    occasion = Reminder.objects.get().occasion
    from reminders import selectors  # noqa: I001 - beside its use: the lookup under test

    assert selectors.sent_lookup(ITEM_DUE.key, [occasion]) == {}
    outbox.send_due()
    assert selectors.sent_lookup(ITEM_DUE.key, [occasion]) == {occasion: {f"user:{owner.pk}"}}


def test_a_sender_woken_ahead_renders_early_but_hands_nothing_over_before_its_moment(
        vendor, owner, settings):
    settings.REMINDERS_PREPARE_SECONDS = 5
    soon = timezone.now() + timedelta(seconds=1)

    def find(now, offset):
        for i in range(2):
            yield registry.Due(occasion=f"burst:{i}", vendor_id=vendor.pk,
                               recipient=registry.Recipient(email="liam@example.org",
                                                            name="Liam", user_id=owner.pk),
                               due_at=soon, url="/", context={"title": "Burst"})

    kind = registry.Kind(key="tests.burst", label="Burst", description="d",
                         timing=registry.Timing.BEFORE, default_offset=timedelta(0), find=find)
    with registered(kind):
        outbox.sweep()
        assert outbox.send_due().sent == 0  # not due yet
        result = outbox.send_due(ahead=True)

    assert result.sent == 2 and len(mail.outbox) == 2
    assert all(r.handing_at >= r.due_at for r in Reminder.objects.all())


def test_a_claim_is_dated_when_it_is_made_not_at_the_moment_it_looks_up_to(item_kind, vendor,
                                                                          owner):
    items(vendor, owner, 1)
    outbox.sweep()
    long_ago = timezone.now() - timedelta(days=1)
    Reminder.objects.update(not_before=long_ago)

    token, rows = outbox.claim(now=long_ago + timedelta(minutes=1), limit=5)

    assert rows and rows[0].claimed_at > long_ago + timedelta(hours=23)
    assert outbox.reclaim() == (0, 0)  # a digest claims up to a past moment: still fresh


def test_plain_text_and_subject_read_as_typed_while_the_html_part_is_escaped(
        item_kind, vendor):
    owner = UserFactory(username="aoife", first_name="Aoife", last_name="O'Brien",
                        email="aoife@example.org")
    AssignmentFactory(user=owner, vendor=vendor)
    action_item(vendor, owner=owner, title="Check <b>Ben's</b> backups",
                due_on=timezone.localdate() + timedelta(days=1))
    outbox.sweep()
    outbox.send_due()

    message = mail.outbox[0]
    assert "Aoife O'Brien" in message.body and "&#x27;" not in message.body
    assert "&#x27;" not in message.subject
    html = message.alternatives[0][0]
    assert "O&#x27;Brien" in html and "<b>Ben" not in html


def test_awkward_text_is_recorded_exactly_as_the_kind_gave_it(vendor, owner):
    # PostgreSQL records through COPY's text format, where a backslash, a tab and a line
    # break are markup and "\N" is NULL: each must arrive as typed.
    awkward = 'Tab\there, back\\slash \\N "quoted"\nline\r\nbreak · Zoë'
    context = {"title": awkward, "facts": {"Path": "C:\\temp\\new", "N": "\\N"}, "n": [1, None]}
    ics = "BEGIN:VCALENDAR\r\nX-NOTE:a\\, b\\n c\r\nEND:VCALENDAR\r\n"

    def find(now, offset):
        for n, email in enumerate(("liam@example.org", "")):
            yield registry.Due(occasion=f"awkward:{n}\t{awkward}"[:200], vendor_id=vendor.pk,
                               recipient=registry.Recipient(email=email, name=awkward,
                                                            user_id=owner.pk if n else None),
                               due_at=now, url=f"/x/?q={awkward}", context=context, ics=ics)

    kind = registry.Kind(key="tests.awkward", label="Awkward", description="d",
                         timing=registry.Timing.BEFORE, default_offset=timedelta(0), find=find)
    with registered(kind):
        assert outbox.sweep().inserted == 2
        assert outbox.sweep().inserted == 0

    rows = list(Reminder.objects.filter(kind="tests.awkward").order_by("occasion"))
    assert [(r.occasion, r.name, r.context, r.ics, r.url, r.email, r.user_id) for r in rows] == [
        (f"awkward:0\t{awkward}"[:200], awkward, context, ics, f"/x/?q={awkward}",
         "liam@example.org", None),
        (f"awkward:1\t{awkward}"[:200], awkward, context, ics, f"/x/?q={awkward}", "",
         owner.pk)]
