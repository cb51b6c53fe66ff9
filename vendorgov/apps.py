from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.signals import user_logged_in

from vendorgov import freshness
from vendorgov.middleware import stamp_renewal


class VendorgovConfig(AppConfig):
    name = "vendorgov"
    verbose_name = "vendorgov plumbing"

    def ready(self):
        for path in settings.RUNTIME_DIRS:
            path.mkdir(parents=True, exist_ok=True)
        user_logged_in.connect(stamp_renewal, dispatch_uid="vendorgov-session-renewal")
        freshness.install()  # computed results (the home pages) follow every write
