"""Who changed a record and why, for django-simple-history: every app's services save
through here, so the history row of each write names its author and reason."""

from django.db.models import Model


def stamp(instance: Model, by=None, change_reason: str = "") -> None:
    """Attribute the next save of `instance` to `by` (a signed-in user), with a reason."""
    if by is not None and getattr(by, "is_authenticated", False):
        instance._history_user = by
    if change_reason:
        instance._change_reason = change_reason


def save(instance: Model, *, by=None, change_reason: str = "") -> Model:
    """Validate (`full_clean`), attribute and save `instance`."""
    instance.full_clean()
    stamp(instance, by, change_reason)
    instance.save()
    return instance
