from django.apps import AppConfig
from django.conf import settings


class VendorgovConfig(AppConfig):
    name = "vendorgov"
    verbose_name = "vendorgov plumbing"

    def ready(self):
        for path in settings.RUNTIME_DIRS:
            path.mkdir(parents=True, exist_ok=True)
