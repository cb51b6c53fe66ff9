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
# Sessions are not renewed during a test unless it asks (tests/accounts/test_abuse.py): a
# renewal is a write, and query counts must not depend on how slowly a test ran.
SESSION_RENEW_SECONDS = 10**9
# No limits in tests but the throttling tests' own (tests/api/test_throttling.py).
REST_FRAMEWORK = {**REST_FRAMEWORK,  # noqa: F405
                  "DEFAULT_THROTTLE_RATES": {"token": None, "anon": None, "rows": None}}

# pytest-xdist runs the suite in several processes at once (gw0, gw1, …); the worker, beat
# and web server processes that infra tests start inherit PYTEST_XDIST_WORKER. Each process
# already has its own test database (pytest-django suffixes its name), temporary VAR_DIRs
# and free ports; on a Redis server they share, its cache keys, Celery queue and control
# exchange are its own too, so one process's Celery worker never takes another's task and
# one's beat never answers for another's heartbeat. ("main": a serial run; neither meets
# `make run`'s keys and queue on the same Redis.)
TEST_RUN = f"test-{env.str('PYTEST_XDIST_WORKER', default='main')}"
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": TEST_RUN}}  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = TEST_RUN
CELERY_CONTROL_EXCHANGE = TEST_RUN
