"""Writes of the reminders app: kind settings, people's choices, bounced addresses, and a
person's decision to send a failed or uncertain reminder again. Keyword-only, atomic."""

from datetime import time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import validate_time_zone
from reminders import outbox, registry, tasks
from reminders.choices import Delivery, Status
from reminders.models import BouncedAddress, KindSetting, Preference, Reminder, Subscriber
from vendorgov import history
from vendorgov.errors import Conflict

MAX_OFFSET = timedelta(days=366)


@transaction.atomic
def kind_setting_update(*, kind_key: str, offset: timedelta, mandatory: bool | None = None,
                        by) -> KindSetting:
    """A new lead time or grace period for a kind (vendor managers); whether it is
    mandatory (admins only: `mandatory` None leaves it as it is). Applies from the next
    sweep; reminders already recorded keep their moment."""
    kind = registry.get(kind_key)
    if offset < timedelta(0):
        raise ValidationError({"offset": "A lead time or grace period cannot be negative."})
    if offset > MAX_OFFSET:
        raise ValidationError({"offset": "At most a year."})
    setting, _ = KindSetting.objects.select_for_update().get_or_create(kind=kind.key)
    setting.offset = None if offset == kind.default_offset else offset
    if mandatory is not None:
        if not by.is_superuser:
            raise ValidationError({"mandatory": "Only an administrator decides which kinds are "
                                                "mandatory."})
        setting.mandatory = None if mandatory == kind.mandatory else mandatory
    setting.updated_at = timezone.now()
    history.save(setting, by=by, change_reason="Reminder timing changed")
    return setting


def subscriber_get(recipient_key: str) -> Subscriber:
    subscriber, _ = Subscriber.objects.get_or_create(recipient_key=recipient_key)
    return subscriber


@transaction.atomic
def preferences_set(*, recipient_key: str, deliveries: dict[str, str],
                    digest_time: time | None = None, time_zone: str | None = None,
                    user=None, by=None) -> Subscriber:
    """One person's choices: per kind immediately / digest / off (off refused for a
    mandatory kind), their digest time, and their time zone (on their account when they
    have one). Their reminders still waiting follow the new choice."""
    configs = outbox.kind_configs()
    errors = {}
    for key, delivery in deliveries.items():
        if key not in configs:
            errors[key] = "No such kind of reminder."
        elif delivery not in Delivery.values:
            errors[key] = "Choose immediately, daily digest or off."
        elif delivery == Delivery.OFF and configs[key].mandatory:
            errors[key] = (f"“{configs[key].kind.label}” is mandatory: it cannot be turned "
                           "off. Choose immediately or the daily digest.")
    if time_zone:
        try:
            validate_time_zone(time_zone)
        except ValidationError as error:
            errors["time_zone"] = error.messages
    if errors:
        raise ValidationError(errors)
    subscriber = Subscriber.objects.select_for_update().get_or_create(
        recipient_key=recipient_key)[0]
    if digest_time is not None:
        subscriber.digest_time = digest_time
    if time_zone is not None:
        if user is not None:
            user.time_zone = time_zone
            history.save(user, by=by or user, change_reason="Time zone chosen",
                         lean=True)
        else:
            subscriber.time_zone = time_zone
    history.save(subscriber, by=by, change_reason="Reminder choices changed")
    existing = {p.kind: p for p in subscriber.preferences.all()}
    now = timezone.now()
    for key, delivery in deliveries.items():
        preference = existing.get(key) or Preference(subscriber=subscriber, kind=key)
        if preference.pk and preference.delivery == delivery:
            continue
        preference.delivery, preference.updated_at = delivery, now
        history.save(preference, by=by, change_reason="Reminder choice changed")
        waiting = Reminder.objects.filter(recipient_key=recipient_key, kind=key,
                                          status=Status.PENDING)
        if delivery == Delivery.OFF:
            waiting.update(status=Status.SUPPRESSED, last_error="Turned off by the recipient.")
        else:
            waiting.update(delivery=delivery)
    return subscriber


@transaction.atomic
def unsubscribe(*, recipient_key: str, kinds: list[str]) -> tuple[list[str], list[str]]:
    """One click from an email: every given kind off, except mandatory ones, which are
    kept (and said so). Returns (turned off, kept because mandatory)."""
    configs = outbox.kind_configs()
    known = [k for k in kinds if k in configs]
    mandatory = [k for k in known if configs[k].mandatory]
    off = [k for k in known if k not in mandatory]
    if off:
        preferences_set(recipient_key=recipient_key, deliveries=dict.fromkeys(off,
                                                                               Delivery.OFF))
    return off, mandatory


@transaction.atomic
def address_mark_bounced(*, email: str, note: str = "", by) -> BouncedAddress:
    """Mail to `email` bounced: it is listed on the reminder log and nothing more is sent
    to it until it is cleared; its waiting reminders are recorded as bounced."""
    email = email.strip().lower()
    bounced = BouncedAddress.objects.filter(email=email).first() or BouncedAddress(email=email)
    bounced.note, bounced.marked_by, bounced.marked_at = note, by, timezone.now()
    history.save(bounced, by=by, change_reason="Address bounced")
    Reminder.objects.filter(email__iexact=email, status=Status.PENDING).update(
        status=Status.BOUNCED, last_error="The address bounced.")
    return bounced


@transaction.atomic
def address_clear_bounce(bounced: BouncedAddress, *, by) -> BouncedAddress:
    """The address works again: later reminders go to it."""
    history.stamp(bounced, by=by, change_reason="Address works again")
    bounced.delete()
    return bounced


@transaction.atomic
def reminder_send_again(reminder: Reminder, *, by) -> Reminder:
    """A person decided: a failed, uncertain or bounced reminder goes (again). Never
    for one that is waiting, being sent or was sent."""
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status not in (Status.FAILED, Status.UNCERTAIN, Status.BOUNCED):
        raise Conflict("Only a failed, uncertain or bounced reminder can be sent again.")
    if not reminder.email:
        raise Conflict("This reminder has no address to go to.")
    if BouncedAddress.objects.filter(email=reminder.email.lower()).exists():
        raise Conflict(f"{reminder.email} is marked as bounced: clear it first.")
    now = timezone.now()
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Status.PENDING, attempts=0, handing_at=None, claim_token="", claimed_at=None,
        not_before=now, last_error=f"Sent again by {by} on {now:%Y-%m-%d %H:%M} UTC.")
    reminder.refresh_from_db()
    transaction.on_commit(lambda: tasks.wake_senders(1))
    return reminder
