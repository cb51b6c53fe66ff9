from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    label = "sla"
    verbose_name = "SLAs"

    def ready(self):
        from vendors import tabs

        tabs.register("slas", "SLAs", "sla:vendor", order=30)
