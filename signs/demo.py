"""Warning signs in the demo portfolio. The other apps' demo histories give each of the five
signs a reason on the page, and the refresh runs last, as the hourly job would:

* keeps missing the point — Meridian's SAP archive restore test failed again, months after
  the first failure was resolved (governance/demo.py);
* interest dropped — Kestrel's account executive stopped coming to the weekly reviews;
* resources not replaced — our request to replace a Kestrel consultant is unanswered;
* only good news — Meridian reported green availability for a quarter we measured red;
* governance slipping — action items carried over again and again (Meridian, Kestrel,
  Brightdesk), Lumen's health check overdue.

Lumen's sign is dismissed by the vendor manager, so a dismissal shows too."""

from signs import selectors, services


def schedule(demo) -> None:
    def refresh_and_dismiss():
        services.signs_refresh()
        lumen = demo.vendor("lumen")
        for sign in selectors.signs_of_vendor(demo.user("vera"), lumen):
            services.sign_dismiss(sign, by=demo.user("vera"), days=45,
                                  reason="The health check waits for the contract extension "
                                         "signed next month; planned with Lumen.")

    demo.at(demo.today, refresh_and_dismiss)
