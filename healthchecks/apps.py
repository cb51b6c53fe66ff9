import logging

from django.apps import AppConfig, apps


class HealthchecksConfig(AppConfig):
    name = "healthchecks"
    verbose_name = "Health checks"

    def ready(self):
        from healthchecks import agenda, search, timeline  # read models: once apps are ready
        from healthchecks.links import RedactSurveyLinks  # registering: once apps are ready
        from vendors import header, tabs
        from vendors import search as vendor_search

        tabs.register("health", "Health checks", "healthchecks:vendor", order=60)
        from healthchecks import reminders  # reads models: once the apps are ready

        reminders.register()
        header.register("next_health_check", "healthchecks/_header_next.html", order=30)
        vendor_search.register("health_checks", "Health checks", search.find_cycles, order=90)
        # Survey links open a survey without signing in: keep them out of the logs (the
        # request loggers, and every handler of the root logger that others propagate to).
        for name in ("django.request", "django.server", "django.security.csrf",
                     "gunicorn.access", "gunicorn.error"):
            logging.getLogger(name).addFilter(RedactSurveyLinks())
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactSurveyLinks())
        if apps.is_installed("governance"):
            from governance import agenda as governance_agenda  # only when installed
            from governance import selectors as governance_selectors  # only when installed

            governance_agenda.provide("health_check_review", agenda.health_check_review)
            governance_selectors.timeline_provide("health_checks", "Health checks",
                                                  timeline.events)
