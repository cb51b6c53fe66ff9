from django.apps import AppConfig, apps


class SlaConfig(AppConfig):
    name = "sla"
    label = "sla"
    verbose_name = "SLAs"

    def ready(self):
        from vendors import tabs  # registering: models load only once the apps are ready

        tabs.register("slas", "SLAs", "sla:vendor", order=30)
        from sla import reminders  # reads models: once the apps are ready

        reminders.register()
        # Registers how the services queue new data for evaluation (see sla/tasks.py).
        import sla.tasks  # noqa: F401
        if apps.is_installed("governance"):
            # The SLA sections of weekly and monthly review agendas.
            from governance import agenda as governance_agenda  # only when installed
            from sla.agenda import BUILDERS  # reads models: once the apps are ready

            for key, builder in BUILDERS.items():
                governance_agenda.provide(key, builder)
