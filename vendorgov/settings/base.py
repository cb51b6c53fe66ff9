"""Settings shared by every environment, read from the environment (12-factor).

Two shapes run the same code:

* embedded default (no variables set): SQLite and files under ``var/``, Celery on
  kombu's ``filesystem://`` transport, emails to the console and ``var/mail/``;
* production shape: ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (broker, results, cache).
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-change-me-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Links in emails point here; by default at the port `make run` serves (PORT, 8000).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "vendorgov",
    "accounts",
    "vendors",
    "reminders",
    "governance",
    "sla",
    "scorecards",
    "healthchecks",
    "signs",  # the top of the house: read the feature apps' selectors, imported by none
    "dashboards",
]

# Sessions, their user and flash messages: Django's, skipped for an API request that names
# its caller by a token (vendorgov.middleware.token_request).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "vendorgov.api.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "vendorgov.api.middleware.AuthenticationMiddleware",
    "vendorgov.middleware.SessionIdleTimeoutMiddleware",
    "vendorgov.middleware.NoStoreMiddleware",
    "vendorgov.api.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vendorgov.urls"
WSGI_APPLICATION = "vendorgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "vendorgov.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL is set.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vendorgov.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server and the worker write concurrently.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The covering indexes (`include=`) of the stored scores and monthly SLA compliance are
    # for PostgreSQL at portfolio scale; SQLite builds them as plain indexes, which is all
    # the embedded mode needs, so its warning about that is not shown on every start.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    # Five minutes: a Celery worker keeps its connection as a web thread does (vendorgov/
    # celery.py), and the reminder sweep, each minute, finds its prepared statement there
    # for five sweeps instead of none (at 60 s, the connection a sweep opened would be too
    # old by the next one).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    # A file cache is shared between the web process and the worker, unlike locmem.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}
# The home pages' computed blocks, kept in the cache until a table they read is written
# (vendorgov/freshness.py). False computes them on every view.
COMPUTED_CACHE = env.bool("COMPUTED_CACHE", default=True)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock out brute-force sign-in attempts (per user name and address) for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: console + var/mail/ unless EMAIL_URL (smtp://…) is set.
EMAIL_FILE_PATH = VAR_DIR / "mail"
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    # EMAIL_BACKEND: another backend class by name (the reminder fault tests write mail to
    # files of their own with django.core.mail.backends.filebased.EmailBackend).
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="vendorgov.mail.ConsoleAndFileEmailBackend")
# An SMTP server that hangs must not hold a reminder sender forever (its claim would look
# dead, reminders/outbox.py): give up after this many seconds and retry later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="vendorgov <noreply@vendorgov.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Change reasons come from people ("Agreed in the 2026 health check"): no length limit.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers, on in every environment; HTTPS-only ones in production.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Signed-in sessions end after this long without a request (vendorgov.middleware renews
# them as people use the site).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=120) * 60
SESSION_RENEW_SECONDS = 60  # renewed at most this often: not a write per page view
# Password-reset mails: per address and per client, an hour (accounts.views).
RESET_MAILS_PER_ADDRESS = env.int("RESET_MAILS_PER_ADDRESS", default=3)
RESET_REQUESTS_PER_CLIENT = env.int("RESET_REQUESTS_PER_CLIENT", default=20)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "vendorgov.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "vendorgov.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": ["vendorgov.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "vendorgov.api.negotiation.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "vendorgov.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "vendorgov.api.exceptions.exception_handler",
    # Per token, per anonymous address, and rows per token for bulk endpoints
    # (vendorgov/api/throttling.py); "none" switches a limit off.
    "DEFAULT_THROTTLE_CLASSES": ["vendorgov.api.throttling.TokenRateThrottle",
                                 "vendorgov.api.throttling.AnonAddressThrottle",
                                 "vendorgov.api.throttling.RowRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_RATE_PER_TOKEN", default="1200/minute"),
        "anon": env("API_RATE_ANONYMOUS", default="60/minute"),
        "rows": env("API_ROWS_PER_TOKEN", default="500000/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "vendorgov API",
    "DESCRIPTION": (
        "Vendor governance API. Authenticate with a personal API token: "
        "`Authorization: Bearer <token>`. Vendor users see only their own vendor's data; "
        "anything else answers 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": True},
}

# Celery: Redis when REDIS_URL is set, else a broker that needs no server.
#
# Delivery is at least once, and every task is safe to run twice (work is claimed in the
# database with conditional updates), so the settings choose "never lose" over "never
# repeat":
# * acks_late: a task is acknowledged when it has finished, not when it is received, so a
#   worker that dies mid-task leaves it to be delivered again;
# * reject_on_worker_lost: a pool process killed mid-task puts its task straight back on
#   the queue, instead of marking it failed;
# * prefetch 1: a worker holds no more than the task it runs, so nothing waits behind a
#   long task while another worker is idle;
# * visibility timeout (Redis): a task delivered to a worker that vanished entirely
#   (SIGKILL of the main process, the machine gone) is delivered again after
#   VISIBILITY_TIMEOUT seconds: 5 minutes, not kombu's hour. It must stay longer than any
#   countdown or ETA the code uses (tests/infra/test_celery_settings.py checks it) and than
#   the longest task, or Redis hands a task out again while it still runs (harmless, being
#   idempotent, but wasted);
# * the broker connection is retried forever: an outage of Redis, however long, never ends
#   the worker; it reconnects and goes on (tests/infra/test_redis_restart.py);
# * results are written with retries, so a result lost to a Redis restart is written again.
CELERY_TASK_IGNORE_RESULT = False
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_RESULT_BACKEND_ALWAYS_RETRY = True
CELERY_RESULT_BACKEND_MAX_RETRIES = 20
# Celery's Django fix-up closes the database connection around every task unless this is
# set; vendorgov/celery.py closes it as Django closes a request's instead (when too old
# or broken), so the fix-up is told to leave it (it still closes after 2 x this many).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=300.0)
VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # Notice a connection Redis dropped (a restart) before using it, not after.
        "health_check_interval": 25,
        "socket_keepalive": True,
    }
    CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 25
else:
    _queue = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"

# Reminders (reminders/outbox.py explains the exactly-once design these serve).
# * a sweep every REMINDERS_SWEEP_SECONDS records what is due up to LOOKAHEAD ahead and wakes
#   the senders at each due moment with an ETA task: the lookahead is an ETA bound, so it
#   stays well under VISIBILITY_TIMEOUT (a longer ETA makes Redis hand the task out again;
#   tests/infra/test_celery_settings.py checks it);
# * a claim older than CLAIM_TIMEOUT belongs to a dead worker: requeued if it never began
#   handing its email to the mail server, else marked uncertain (never sent twice). Longer
#   than EMAIL_TIMEOUT, so a slow but live send is not taken for dead;
# * a send task stops after SEND_BUDGET seconds and queues its continuation, so no task
#   outlives the visibility timeout either;
# * a refused email is retried after RETRY_SECONDS, then 4x longer each time, and is
#   `failed` (shown on the reminder log and the home page) after MAX_ATTEMPTS.
REMINDERS_SWEEP_SECONDS = env.float("REMINDERS_SWEEP_SECONDS", default=60.0)
REMINDERS_DIGEST_SECONDS = env.float("REMINDERS_DIGEST_SECONDS", default=300.0)
REMINDERS_LOOKAHEAD_SECONDS = env.int("REMINDERS_LOOKAHEAD_SECONDS", default=180)
REMINDERS_CLAIM_TIMEOUT_SECONDS = env.int("REMINDERS_CLAIM_TIMEOUT_SECONDS", default=120)
REMINDERS_SEND_BUDGET_SECONDS = env.int("REMINDERS_SEND_BUDGET_SECONDS", default=60)
REMINDERS_RETRY_SECONDS = env.int("REMINDERS_RETRY_SECONDS", default=60)
REMINDERS_MAX_ATTEMPTS = env.int("REMINDERS_MAX_ATTEMPTS", default=5)
REMINDERS_BATCH = 50  # rows a sender claims at a time: what a dead worker holds up
# Woken this long before a due moment, a sender claims (up to PREPARE_LIMIT rows) and
# renders ahead, then hands each email over at its moment: a burst is ready when due.
REMINDERS_PREPARE_SECONDS = env.int("REMINDERS_PREPARE_SECONDS", default=10)
REMINDERS_PREPARE_LIMIT = 500
REMINDERS_SENDERS = env.int("REMINDERS_SENDERS", default=4)  # send tasks queued at once

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Paths the embedded mode writes to; created on start-up (see vendorgov.apps).
RUNTIME_DIRS = [VAR_DIR, EMAIL_FILE_PATH, MEDIA_ROOT, VAR_DIR / "celery" / "queue",
                VAR_DIR / "celery" / "control", VAR_DIR / "celery" / "results"]
