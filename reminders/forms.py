from datetime import timedelta
from zoneinfo import available_timezones

import django_filters
from django import forms
from django.db.models import Q

from reminders import registry
from reminders.choices import Delivery, Status
from reminders.models import Reminder
from vendors.models import Vendor

TIME_ZONES = sorted(available_timezones() - {"localtime", "Factory"})


def field_name(kind_key: str) -> str:
    return "kind__" + kind_key.replace(".", "__")


class KindSettingForm(forms.Form):
    """A kind's lead time or grace period, in days and hours (and, for admins, whether it
    is mandatory)."""

    days = forms.IntegerField(min_value=0, max_value=366)
    hours = forms.IntegerField(min_value=0, max_value=23, initial=0)
    mandatory = forms.BooleanField(required=False, label="Mandatory (people cannot turn it "
                                                         "off)")

    def __init__(self, *args, config, admin: bool, **kwargs):
        offset = config.offset
        kwargs.setdefault("initial", {"days": offset.days, "hours": offset.seconds // 3600,
                                      "mandatory": config.mandatory})
        super().__init__(*args, **kwargs)
        verb = "before" if config.kind.timing == registry.Timing.BEFORE else "after"
        self.fields["days"].label = f"Days {verb}"
        self.fields["hours"].label = f"and hours {verb}"
        if not admin:
            del self.fields["mandatory"]

    @property
    def offset(self) -> timedelta:
        return timedelta(days=self.cleaned_data["days"], hours=self.cleaned_data["hours"])


class PreferencesForm(forms.Form):
    """One person's reminder choices: a choice per kind, digest time, time zone."""

    digest_time = forms.TimeField(label="Daily digest at", widget=forms.TimeInput(
        attrs={"type": "time"}, format="%H:%M"), help_text="In your time zone.")
    time_zone = forms.ChoiceField(label="Your time zone", choices=[(z, z) for z in TIME_ZONES],
                                  help_text="Times in your emails and pages are shown in it.")

    def __init__(self, *args, kinds, subscriber, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["digest_time"].initial = subscriber.digest_time
        self.fields["time_zone"].initial = zone
        for choice in kinds:
            options = [(d.value, d.label) for d in Delivery
                       if not (choice.mandatory and d == Delivery.OFF)]
            help_text = choice.description
            if choice.off_ignored:
                help_text += (" You turned this off, but it is mandatory: you still get it "
                              "(immediately, unless you choose the digest).")
            elif choice.mandatory:
                help_text += " Mandatory: it cannot be turned off."
            initial = choice.effective
            self.fields[field_name(choice.key)] = forms.ChoiceField(
                label=choice.label, choices=options, initial=initial,
                widget=forms.RadioSelect, help_text=help_text)

    def deliveries(self) -> dict[str, str]:
        return {c.key: self.cleaned_data[field_name(c.key)] for c in self.kinds}


class BounceForm(forms.Form):
    email = forms.EmailField(label="Address that bounced")
    note = forms.CharField(max_length=300, required=False,
                           help_text="What the bounce said, e.g. 'mailbox does not exist'.")


class ReminderFilterSet(django_filters.FilterSet):
    """The reminder log's filters (and its CSV)."""

    q = django_filters.CharFilter(method="search", label="Recipient",
                                  widget=forms.TextInput(attrs={"type": "search",
                                                                "placeholder": "Name or email"}))
    kind = django_filters.ChoiceFilter(choices=[], empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(),
                                              empty_label="Any vendor")
    id = django_filters.NumberFilter(widget=forms.HiddenInput)

    class Meta:
        model = Reminder
        fields = ["q", "kind", "status", "vendor", "id"]

    def __init__(self, *args, vendors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["choices"] = [(k.key, k.label) for k in registry.kinds()]
        if vendors is not None:
            self.filters["vendor"].queryset = vendors

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value)
                               | Q(email__icontains=value))
