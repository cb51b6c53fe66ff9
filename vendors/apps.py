from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"
    verbose_name = "Vendors"

    def ready(self):
        from vendors import reminders  # reads models: once the apps are ready

        reminders.register()
