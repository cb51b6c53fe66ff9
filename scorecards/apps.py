from django.apps import AppConfig, apps


class ScorecardsConfig(AppConfig):
    name = "scorecards"
    verbose_name = "Scorecards"

    def ready(self):
        from vendors import tabs  # registering: models load only once the apps are ready

        tabs.register("scorecard", "Scorecard", "scorecards:vendor", order=20)
        from scorecards import reminders  # reads models: once the apps are ready

        reminders.register()
        if apps.is_installed("governance"):
            # The scorecard sections of weekly and quarterly review agendas.
            from governance import agenda as governance_agenda  # only when installed
            from scorecards.agenda import PROVIDED  # reads models: once the apps are ready

            for key, builder in PROVIDED.items():
                governance_agenda.provide(key, builder)
