from django.apps import AppConfig


class SignsConfig(AppConfig):
    """Warning signs: at the top of the house, beside the dashboards. It reads the feature
    apps through their selectors and no feature app imports it."""

    name = "signs"
    verbose_name = "Warning signs"

    def ready(self):
        from vendors import header, tabs

        # After Health checks (60); People & staffing is 70. Internal people only.
        tabs.register("signs", "Warning signs", "signs:vendor", order=65, internal_only=True)
        header.register("warning_signs", "signs/_header_count.html", order=40)
