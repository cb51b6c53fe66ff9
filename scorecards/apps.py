from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "scorecards"
    verbose_name = "Scorecards"

    def ready(self):
        from vendors import tabs

        tabs.register("scorecard", "Scorecard", "scorecards:vendor", order=20)
