from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self):
        from vendors import tabs

        tabs.register("reviews", "Reviews", "governance:vendor", order=40)
        tabs.register("items", "Items", "governance:items", order=50)
