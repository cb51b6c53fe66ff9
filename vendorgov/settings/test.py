"""Settings for the test suite: fast hashing, synchronous-free of network mail."""

from .base import *  # noqa: F403
from .base import env

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver", "[::1]"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
# No limits in tests but the throttling tests' own (tests/api/test_throttling.py).
REST_FRAMEWORK = {**REST_FRAMEWORK,  # noqa: F405
                  "DEFAULT_THROTTLE_RATES": {"token": None, "anon": None, "rows": None}}
