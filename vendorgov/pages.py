"""The generic page views every app builds on, in the spirit of NetBox's `views/generic`:
an app's page is a few declarative lines on one of these.

* `FormPage`: a form whose valid data goes to one service (`perform`); the service's
  ValidationError comes back next to the fields, a `Conflict` as a message.
* `ConfirmPage`: a GET says what will happen, the POST does it (`act`).
* `ListPage`: a list with filters (django-filter), sorting, pagination and a CSV of exactly
  what is filtered.

Where a page goes after a POST is decided in one place, `ReturnMixin.get_success_url()`:
the `next` it was given when that stays on this site, else the page's `done_url()`. No page
redirects off-site and none is left without a place to go (tests/vendorgov/test_next.py
posts to every form page of the URLconf with an off-site `next`).

A vendor's pages add `vendors.pages.VendorMixin` in front (the vendor from the URL, within
the user's scope, and the tab the page belongs to). This module knows nothing of vendors:
`vendorgov` sits below every app and imports none of them.
"""

import csv
import functools
import re

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView

from vendorgov.errors import Conflict


def once(method):
    """A page's record, loaded once per request: the title, the form, the explanation and
    the return address each ask for it, and each asking must not be another query."""
    key = f"_once_{method.__name__}"

    @functools.wraps(method)
    def loaded(self):
        if key not in self.__dict__:
            self.__dict__[key] = method(self)
        return self.__dict__[key]

    return loaded


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


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV download. Text that a spreadsheet would run as a formula (it starts with =, +,
    -, @, a tab or a carriage return) is neutralised with a leading apostrophe (CSV
    injection); blank cells stay blank and numbers stay numbers — a negative number, also
    one given as text such as "-3.5", is not a formula — so a downloaded file (the SLA
    import template above all) can be filled in and uploaded again unchanged."""

    def cell(value):
        if (isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
                and not _NUMBER.fullmatch(value)):
            return f"'{value}"
        return value

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response


def error_text(error: Exception) -> str:
    """A service's ValidationError or Conflict as one line for a message."""
    return " ".join(getattr(error, "messages", None) or [str(error)])


class ReturnMixin:
    """Where a page goes once it has done its work, and where its Cancel link points."""

    object = None  # what the POST made or changed, once it has
    show_object = False  # once done, show the record made (its get_absolute_url)

    def done_url(self) -> str:
        raise ImproperlyConfigured(f"{type(self).__name__} must say where it goes when done "
                                   "(done_url).")

    def get_success_url(self) -> str:
        if target := safe_next(self.request):
            return target
        if self.show_object and self.object is not None:
            return self.object.get_absolute_url()
        return self.done_url()

    def cancel_url(self) -> str:
        return self.get_success_url()


class FormPage(ReturnMixin, LoginRequiredMixin, FormView):
    """A form handed to one service: `perform(form)` returns the record it made or changed.

    Declare `form_class`, `title` (or `get_title()`), `success_message` (formatted with
    `object`) and `done_url()`; `get_instance()` gives a ModelForm its record."""

    template_name = "form.html"
    title = ""
    intro = ""
    submit_label = "Save"
    success_message = "Saved."
    error_fields: dict[str, str] = {}  # a service's field → the form field that sets it

    def perform(self, form):
        raise NotImplementedError

    def get_instance(self):
        return None

    def get_title(self) -> str:
        return self.title

    def get_intro(self) -> str:
        return self.intro

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if (instance := self.get_instance()) is not None:
            kwargs["instance"] = instance
        return kwargs

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as error:
            apply_errors(form, error, self.error_fields)
            return self.form_invalid(form)
        except Conflict as error:
            messages.error(self.request, str(error))
            return redirect(self.get_success_url())
        return self.saved(form)

    def get_success_message(self) -> str:
        """`success_message` about `object`; a page whose message carries other text that
        people typed overrides this (never put their text into a format string)."""
        return self.success_message.format(object=self.object) if self.success_message else ""

    def saved(self, form):
        """The answer once the service has done its work: a short message, then back."""
        if message := self.get_success_message():
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("intro", self.get_intro())
        return super().get_context_data(title=self.get_title(), submit_label=self.submit_label,
                                        cancel_url=self.cancel_url(), **kwargs)


class ConfirmPage(ReturnMixin, LoginRequiredMixin, TemplateView):
    """A GET shows what will happen to `target()`; the POST does it with `act(target)`,
    by default the page's `service`.

    `explanation` is formatted with `target`; the message after it is `success_message`
    (formatted with `target` and `object`, what `act` returned) or "<Verb>d: <target>."."""

    template_name = "confirm.html"
    verb = ""
    explanation = ""
    button_class = "btn-warning"
    success_message = ""
    service = None  # staticmethod(a service called as service(target, by=user))

    def target(self):
        raise NotImplementedError

    def act(self, target):
        return self.service(target, by=self.request.user)

    def get_explanation(self, target) -> str:
        return self.explanation.format(target=target)

    def get_context_data(self, **kwargs):
        target = self.target()
        return super().get_context_data(target=target, verb=self.verb,
                                        explanation=self.get_explanation(target),
                                        button_class=self.button_class,
                                        cancel_url=self.cancel_url(), **kwargs)

    def post(self, request, *args, **kwargs):
        self.confirmed = self.target()
        try:
            self.object = self.act(self.confirmed)
        except (ValidationError, Conflict) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, self.get_success_message())
        return redirect(self.get_success_url())

    def get_success_message(self) -> str:
        message = self.success_message or f"{self.verb.capitalize()}d: {{target}}."
        return message.format(target=self.confirmed, object=self.object)


class ListPage(SortMixin, LoginRequiredMixin, TemplateView):
    """A list: `get_queryset()` (scoped by the caller), filtered by `filterset_class`,
    sorted by `sort_fields`, paginated, and as CSV (`?format=csv`) when `csv_filename` is
    set, with `csv_header` and a `csv_row(obj)` per record.

    The template gets `filter`, its `form`, `page`, `sort` and `query` (the query string
    without the page, for sort and pagination links)."""

    filterset_class = None
    paginate_by = 25
    csv_filename = ""
    csv_header: list[str] = []

    def get_queryset(self):
        raise NotImplementedError

    def csv_row(self, obj) -> list:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        self.filterset = (self.filterset_class(request.GET, queryset=queryset)
                          if self.filterset_class else None)
        self.object_list = self.sorted(self.filterset.qs if self.filterset else queryset)
        if self.csv_filename and request.GET.get("format") == "csv":
            return csv_response(self.csv_filename, self.csv_header,
                                (self.csv_row(obj) for obj in self.object_list))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        page = Paginator(self.object_list, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=self.filterset, form=self.filterset.form if self.filterset else None,
            page=page, sort=self.current_sort(), query=query.urlencode(), **kwargs)
