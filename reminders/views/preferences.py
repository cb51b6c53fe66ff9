"""People's choices: on their profile (signed in), or through the link in every reminder
(no sign-in: vendor contacts without an account have the same controls)."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from reminders import links, registry, selectors, services
from reminders.forms import PreferencesForm
from vendorgov.pages import FormPage


def preferences_form(recipient_key: str, *, user=None, data=None) -> PreferencesForm:
    subscriber, kinds = selectors.choices_of(recipient_key)
    zone = (user.time_zone if user is not None else subscriber.time_zone) or settings.TIME_ZONE
    return PreferencesForm(data, kinds=kinds, subscriber=subscriber, zone=zone)


class PreferencesPage(FormPage):
    """The signed-in person's own choices (also shown on their profile)."""

    title = "Your reminder emails"
    intro = ("Per kind of reminder: as it comes, in one daily digest at the time you choose, "
             "or off (not for mandatory ones).")
    template_name = "reminders/preferences.html"
    success_message = "Your reminder choices are saved."

    def key(self) -> str:
        return f"user:{self.request.user.pk}"

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        return preferences_form(self.key(), user=self.request.user, data=data)

    def perform(self, form):
        return services.preferences_set(
            recipient_key=self.key(), deliveries=form.deliveries(),
            digest_time=form.cleaned_data["digest_time"],
            time_zone=form.cleaned_data["time_zone"], user=self.request.user,
            by=self.request.user)

    def done_url(self):
        return reverse("accounts:profile")


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribePage(FormPage):
    """The link in every reminder. GET shows the person's choices with the email's kinds
    set to off, for them to confirm; a mail program's one-click POST (RFC 8058, no cookie,
    no CSRF token: the signed link is the proof) turns them off at once. CSRF is exempt
    because the link itself is the credential and it can change nothing but these choices."""

    template_name = "reminders/unsubscribe.html"
    submit_label = "Save my choices"
    success_message = "Saved: your reminder emails follow these choices now."

    def dispatch(self, request, *args, **kwargs):
        self.link = links.read(kwargs["token"])
        if self.link is None:
            self.template_name = "reminders/unsubscribe_invalid.html"
            return self.render_to_response({"title": "This link does not work"}, status=404)
        # No sign-in: whoever holds the link decides for its person (FormPage asks for one).
        return super(LoginRequiredMixin, self).dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("List-Unsubscribe") == "One-Click":
            key, kinds = self.link
            services.unsubscribe(recipient_key=key, kinds=kinds)
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return super().post(request, *args, **kwargs)

    def get_title(self):
        return "Your reminder emails"

    def get_form(self, form_class=None):
        key, kinds = self.link
        data = self.request.POST if self.request.method == "POST" else None
        form = preferences_form(key, data=data)
        if key.startswith("user:"):
            del form.fields["time_zone"]  # on their account: changed when signed in
        if data is None:
            for choice in form.kinds:
                if choice.key in kinds and not choice.mandatory:
                    form.fields[f"kind__{choice.key.replace('.', '__')}"].initial = "off"
        return form

    def perform(self, form):
        key, _ = self.link
        return services.preferences_set(
            recipient_key=key, deliveries=form.deliveries(),
            digest_time=form.cleaned_data["digest_time"],
            time_zone=form.cleaned_data.get("time_zone"))

    def get_context_data(self, **kwargs):
        key, kinds = self.link
        labels = {k.key: k.label for k in registry.kinds()}
        return super().get_context_data(
            unsubscribing=[labels.get(k, k) for k in kinds], **kwargs)

    def done_url(self):
        return self.request.path
