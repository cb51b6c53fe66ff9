from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self):
        from governance import reminders, selectors  # read models: once the apps are ready
        from governance import search as finders  # reads models: once the apps are ready
        from vendors import header, search, tabs  # registering: once the apps are ready

        tabs.register("reviews", "Reviews", "governance:vendor", order=40)
        tabs.register("items", "Items", "governance:items", order=50)
        header.register("next_review", "governance/_header_next_review.html", order=20,
                        holds_until=selectors.reviews_hold_until)
        search.register("meetings", "Review meetings", finders.find_meetings, order=50)
        search.register("action_items", "Action items", finders.find_action_items, order=60)
        search.register("impediments", "Impediments", finders.find_impediments, order=70)
        search.register("suggestions", "Innovation suggestions", finders.find_suggestions,
                        order=80)
        reminders.register()
