"""Plumbing shared by the server-rendered pages of every app (no domain logic here)."""

import csv

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def apply_errors(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form).
    `aliases` maps a model field to the form field that sets it (e.g. owner_user → owner)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def safe_next(request) -> str:
    """The `next` address of a form, when it stays on this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  request.is_secure()):
        return target
    return ""


class ServiceFormMixin:
    """A form view whose valid form is handed to a service (`perform`); the service's
    validation errors come back to the form instead of as a 500."""

    success_message = "Saved."
    error_fields: dict[str, str] = {}  # apply_errors' aliases

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as error:
            apply_errors(form, error, self.error_fields)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message.format(object=self.object))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return safe_next(self.request) or super().get_success_url()


# Errors stored under this key are shown above the form.
NON_FIELD = NON_FIELD_ERRORS


class SortMixin:
    """`?sort=field` or `?sort=-field` over an allow-list (`sort_fields`: name → ordering)."""

    sort_fields: dict[str, str] = {}
    default_sort = ""

    def current_sort(self) -> str:
        value = self.request.GET.get("sort", self.default_sort)
        return value if value.lstrip("-") in self.sort_fields else self.default_sort

    def sorted(self, queryset):
        sort = self.current_sort()
        if not sort:
            return queryset
        field = self.sort_fields[sort.lstrip("-")]
        return queryset.order_by(("-" if sort.startswith("-") else "") + field, "pk")


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV download. Text that a spreadsheet would run as a formula (it starts with =, +,
    -, @, a tab or a carriage return) is neutralised with a leading apostrophe (CSV
    injection); blank cells stay blank and numbers stay numbers — a negative number, also
    one given as text such as "-3.5", is not a formula — so a downloaded file (the SLA
    import template above all) can be filled in and uploaded again unchanged."""
    import re

    number = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

    def cell(value):
        if (isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
                and not number.fullmatch(value)):
            return f"'{value}"
        return value

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response
