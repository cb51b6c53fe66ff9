from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts import services
from accounts.filtersets import UserFilterSet
from accounts.forms import ApiTokenForm, UserForm
from accounts.models import ApiToken
from reminders import selectors as reminders
from reminders.views.preferences import preferences_form
from vendorgov import ratelimit
from vendorgov.pages import FormPage, ListPage, once
from vendors.models import VendorAssignment
from vendors.selectors import record_history

User = get_user_model()


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with limits, so the form cannot be used to flood an inbox
    or to mail the whole staff: per address, at most RESET_MAILS_PER_ADDRESS an hour (past
    that the page answers as usual and sends nothing, so it says nothing about addresses);
    per client, at most RESET_REQUESTS_PER_CLIENT an hour (past that a 429 says to wait)."""

    def form_valid(self, form):
        client = self.request.META.get("REMOTE_ADDR", "")
        wait = ratelimit.take(f"reset-client:{client}", limit=settings.RESET_REQUESTS_PER_CLIENT,
                              period=3600)
        if wait is not None:
            form.add_error(None, f"Too many password-reset requests from here; try again in "
                                 f"{max(1, round(wait / 60))} minutes.")
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(int(wait) + 1)
            return response
        address = form.cleaned_data["email"].strip().lower()
        if ratelimit.take(f"reset-address:{address}", limit=settings.RESET_MAILS_PER_ADDRESS,
                          period=3600) is not None:
            return redirect(self.get_success_url())
        return super().form_valid(form)


class ProfileView(LoginRequiredMixin, TemplateView):
    """The signed-in person: who they are, their reminder emails and their personal API
    tokens."""

    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        key = f"user:{user.pk}"
        run = reminders.upcoming_run()  # a snapshot: the finds are too costly per view
        return super().get_context_data(
            reminder_form=preferences_form(key, user=user),
            reminder_action=reverse("reminders:preferences"),
            reminders_run=run, reminders_queued=reminders.queue_upcoming() if run is None
            else False,
            reminders_upcoming=list(reminders.upcoming_items(run, days=14, recipient_key=key)[:20])
            if run else [],
            reminders_waiting=reminders.waiting_for(key),
            reminders_recent=reminders.recent_for(key, limit=10),
            tokens=list(user.api_tokens.all()), token_form=kwargs.pop("token_form", None)
            or ApiTokenForm(), assignments=list(user.assignments.select_related("vendor")),
            **kwargs)


class ApiTokenCreateView(LoginRequiredMixin, View):
    """Creates a token and shows its secret on this one response only."""

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.profile(request, token_form=form)
        days = form.cleaned_data["expires_in_days"]
        token, raw = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"],
            expires_at=timezone.now() + timedelta(days=days) if days else None)
        response = self.profile(request, new_token=raw, new_token_obj=token)
        response["Cache-Control"] = "no-store"
        return response

    def profile(self, request, **context):
        view = ProfileView(request=request, kwargs={})
        return render(request, view.template_name, view.get_context_data(**context))

    def get(self, request):
        return redirect("accounts:profile")


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, user=request.user, pk=pk)
        services.api_token_revoke(token=token)
        messages.success(request, f"Token '{token.name}' revoked; it no longer works.")
        return redirect("accounts:profile")


class VendorManagerRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_vendor_manager:
            raise PermissionDenied("Only vendor managers manage people.")
        return super().dispatch(request, *args, **kwargs)


class UserListView(VendorManagerRequiredMixin, ListPage):
    template_name = "accounts/user_list.html"
    filterset_class = UserFilterSet
    sort_fields = {"name": "first_name", "username": "username", "role": "role",
                   "last_login": "last_login"}
    default_sort = "name"
    paginate_by = 50
    csv_filename = "people.csv"
    csv_header = ["Username", "Name", "Email", "Role", "Vendor", "Assigned vendors", "Active"]

    def get_queryset(self):
        return User.objects.select_related("vendor").prefetch_related("assignments__vendor")

    def csv_row(self, u):
        return [u.username, u.get_full_name(), u.email, u.get_role_display(), u.vendor or "",
                "; ".join(str(a.vendor) for a in u.assignments.all()),
                "yes" if u.is_active else "no"]


class PersonFormPage(VendorManagerRequiredMixin, FormPage):
    form_class = UserForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(breadcrumb_url=reverse("accounts:user_list"),
                                        breadcrumb_label="People", **kwargs)


class UserCreateView(PersonFormPage):
    title = "Add a person"
    intro = "They get an email with a link to choose their password."
    success_message = "{object} added; an email with a link to set their password was sent."

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.user_create(by=self.request.user,
                                    vendors=data.pop("assign_vendors", []),
                                    assignment_role=data.pop("assignment_role", ""), **data)

    def done_url(self):
        if self.object is not None:
            return reverse("accounts:user_detail", args=[self.object.pk])
        return reverse("accounts:user_list")


class UserDetailView(VendorManagerRequiredMixin, TemplateView):
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        person = get_object_or_404(User.objects.select_related("vendor"), pk=self.kwargs["pk"])
        return super().get_context_data(
            person=person,
            assignments=list(VendorAssignment.objects.filter(user=person)
                             .select_related("vendor")),
            tokens=list(person.api_tokens.all()), history=record_history(person), **kwargs)


class UserUpdateView(PersonFormPage):
    success_message = "{object} saved."

    @once
    def person(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_instance(self):
        return self.person()

    def get_title(self):
        return f"Edit {self.person()}"

    def perform(self, form):
        return services.user_update(self.person(), by=self.request.user, **form.cleaned_data)

    def done_url(self):
        return reverse("accounts:user_detail", args=[self.kwargs["pk"]])


class UserActiveView(VendorManagerRequiredMixin, View):
    """Deactivate (never delete) or reactivate a person."""

    def post(self, request, pk):
        person = get_object_or_404(User, pk=pk)
        active = request.POST.get("active") == "1"
        if person == request.user and not active:
            messages.error(request, "You cannot deactivate yourself.")
        else:
            services.user_set_active(person, active=active, by=request.user)
            outcome = ("reactivated; they can sign in again" if active else
                       "deactivated; their sign-in and API tokens stop working")
            messages.success(request, f"{person} {outcome}.")
        return redirect("accounts:user_detail", pk=pk)


class UserInviteView(VendorManagerRequiredMixin, View):
    def post(self, request, pk):
        person = get_object_or_404(User, pk=pk, is_active=True)
        services.user_send_password_link(person)
        messages.success(request, f"A link to set a password was emailed to {person.email}.")
        return redirect("accounts:user_detail", pk=pk)
