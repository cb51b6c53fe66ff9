"""Who changed a record and why, for django-simple-history: every app's services save
through here, so the history row of each write names its author and reason."""

from django.core.exceptions import ValidationError
from django.db.models import Model


def stamp(instance: Model, by=None, change_reason: str = "") -> None:
    """Attribute the next save of `instance` to `by` (a signed-in user), with a reason."""
    if by is not None and getattr(by, "is_authenticated", False):
        instance._history_user = by
    if change_reason:
        instance._change_reason = change_reason


def lean_full_clean(instance: Model, *, constraints: bool = True,
                    only: set[str] | None = None) -> None:
    """`full_clean()`, less the queries it would run for nothing: whether related records
    handed over as objects exist (they were just loaded); with `only`, the checks of fields
    a change does not touch; with `constraints=False`, database constraints it cannot
    touch."""
    loaded = {f.name for f in instance._meta.concrete_fields
              if (f.many_to_one and f.is_cached(instance))
              or (only is not None and f.name not in only)}
    errors = {}
    steps = [lambda: instance.clean_fields(exclude=loaded), instance.clean,
             instance.validate_unique]
    if constraints:
        steps.append(instance.validate_constraints)
    for step in steps:
        try:
            step()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def save(instance: Model, *, by=None, change_reason: str = "", lean: bool = False,
         constraints: bool = True, only: set[str] | None = None) -> Model:
    """Validate, attribute and save `instance`. Validation is `full_clean()`, or with
    `lean` `lean_full_clean` (narrowed by `constraints` and `only`), as governance's
    services save: its writes touch few fields of records they have just loaded."""
    if lean:
        lean_full_clean(instance, constraints=constraints, only=only)
    elif not constraints or only is not None:
        raise TypeError("constraints and only narrow a lean validation: pass lean=True.")
    else:
        instance.full_clean()
    stamp(instance, by, change_reason)
    instance.save()
    return instance
