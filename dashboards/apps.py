from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Role homes, the vendor 360 and the quarterly review pack: the top of the house. It
    reads the feature apps through their selectors and no app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"

    def ready(self):
        from dashboards import tasks  # noqa: F401 - registers how pack jobs are queued
        from governance import selectors as governance
        from vendors import overview

        # Its governance block shows each tier's next review, as the header does.
        overview.register("vendor_360", "dashboards/_vendor360.html", order=10,
                          holds_until=governance.reviews_hold_until)
