from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Emailed reminders: the kinds are declared by the apps that own the data
    (`reminders.registry`); this app finds what is due, records it once and sends it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self):
        from reminders import registry, selectors

        # The kinds ask who already has an occasion (a moved meeting's update goes to them).
        if hasattr(registry, "provide_sent_lookup"):
            registry.provide_sent_lookup(selectors.sent_lookup)
