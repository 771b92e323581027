"""Settings for every environment, read from environment variables.

Development (`make run`) sets DJANGO_DEBUG=1; everything else is production-safe by default:
without DEBUG the app refuses to start unless a secret key and allowed hosts are given.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "development-only-not-secret"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
elif not SECRET_KEY or not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Users reach the site over HTTPS (TLS ends at the reverse proxy): cookies travel only over TLS,
# browsers are told to use HTTPS from now on, and plain HTTP is redirected.
HTTPS = env_bool("DJANGO_HTTPS")
# How many reverse proxies we run in front of gunicorn; their X-Forwarded-* headers are trusted.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
if PROXY_COUNT:
    # The proxy overwrites this header; without a proxy a client could send it, so it is unread.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
if not SECURE_HSTS_PRELOAD:
    # An intranet host is not for the browsers' public preload list; nothing to warn about.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
# No script reads the CSRF cookie (forms carry the token), so scripts need not see it.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Scripts and styles only from our own static files: an injected <script> or onclick= does not
# run. Bootstrap draws some icons as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "departments",
    "evaluations",
    "reports",
    "exports",
    "publishing",
]

MIDDLEWARE = [
    "config.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early, so that the error pages of the middleware below carry it too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.sessions.renew_sessions",
    "config.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if os.environ.get("DJANGO_TEST_DATABASE"):
    # Lets several test runs share one PostgreSQL server without clashing.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DATABASE"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent saves from several browser tabs otherwise fail with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # The test database is a file, not shared memory: only a file makes two connections wait for
    # each other's lock, which the tests of two people acting at once rely on.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(BASE_DIR / "db.sqlite3-test")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("DJANGO_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "config.passwords.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock a username from one address after repeated failures, for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", True)
# Behind the proxy every request comes from its address; locking that would lock everyone out.
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_ip"
# Failures and lockouts are rows in the database (the default handler): every app server sees them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Sessions end after this long without a request (requests push the end back: config/sessions.py).
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(8 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
# In the database, so that any app server can answer any request of a logged-in user.
SESSION_ENGINE = "config.sessions"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Hashed, compressed files from `collectstatic` in production; straight from static/ otherwise.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "config.static_files.StaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Exports run as background jobs go through the default storage: files under MEDIA_ROOT, or
# django-storages' S3 backend when several app servers share them (README).
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"  # never served: downloads go through a view that checks access
if os.environ.get("DJANGO_STORAGE_BACKEND"):
    STORAGES["default"] = {
        "BACKEND": os.environ["DJANGO_STORAGE_BACKEND"],
        "OPTIONS": {
            key.removeprefix("DJANGO_STORAGE_").lower(): value
            for key, value in os.environ.items()
            if key.startswith("DJANGO_STORAGE_") and key != "DJANGO_STORAGE_BACKEND"
        },
    }
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "jixiao@localhost")
# The address people open the app at, for links in e-mails (https://jixiao.example.gov.cn).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Largest workbook an import accepts, and how far its zip may expand when read.
IMPORT_MAX_BYTES = int(os.environ.get("DJANGO_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("DJANGO_IMPORT_MAX_UNZIPPED_BYTES", str(100 * 1024 * 1024))
)
# What reading one workbook may cost, counted before it is parsed (evaluations/excel/screening.py).
# A department's workbook of 100 forms of 30 indicators has 40 thousand cells.
IMPORT_MAX_SHEETS = int(os.environ.get("DJANGO_IMPORT_MAX_SHEETS", "500"))
IMPORT_MAX_CELLS = int(os.environ.get("DJANGO_IMPORT_MAX_CELLS", "250000"))
# Excel's own number of columns.
IMPORT_MAX_ROW_CELLS = int(os.environ.get("DJANGO_IMPORT_MAX_ROW_CELLS", "16384"))
# Rows of one sheet, down to the last that holds a value: a form of 300 indicators needs 330.
IMPORT_MAX_ROWS = int(os.environ.get("DJANGO_IMPORT_MAX_ROWS", "10000"))
IMPORT_MAX_STRINGS = int(os.environ.get("DJANGO_IMPORT_MAX_STRINGS", "200000"))
IMPORT_MAX_TEXT = int(os.environ.get("DJANGO_IMPORT_MAX_TEXT", "10000000"))
IMPORT_MAX_ELEMENTS = int(os.environ.get("DJANGO_IMPORT_MAX_ELEMENTS", "3000000"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# A form of 300 indicator rows with every text at its limit posts about 11 MB: Chinese travels
# percent-encoded, nine bytes a character. Django's 2.5 MB would refuse forms the page allows.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DJANGO_DATA_UPLOAD_MAX_BYTES", str(16 * 1024 * 1024))
)

# Background jobs: the Tasks API (django_tasks now, django.tasks from Django 6) on the database,
# so that jobs live beside the data and need no other server. Workers: `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# An export of more forms than this is prepared in the background; smaller ones stream at once.
EXPORT_JOB_THRESHOLD = int(os.environ.get("EXPORT_JOB_THRESHOLD", "500"))
# Days a finished export is kept for download.
EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))
# How often a department's part of an export is tried before it is reported as failed.
EXPORT_ATTEMPTS = int(os.environ.get("EXPORT_ATTEMPTS", "3"))
# Seconds between two tries of a failed part, where the backend can wait (the database's can).
EXPORT_RETRY_SECONDS = int(os.environ.get("EXPORT_RETRY_SECONDS", "30"))

LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
# logfmt on standard error, for the process manager to hand to the log collector. Loggers:
# jixiao.requests (one line per request), jixiao.events (state changes, imports, exports).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"logfmt": {"()": "config.logfmt.LogfmtFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "logfmt"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # Our request line says the same, with the user and department.
        "gunicorn.access": {"level": "WARNING"},
        # WeasyPrint warns of every screen-only CSS property it skips on every PDF; an address
        # a print page may not load is logged by publishing/pdf.py itself.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

FORM_LABELS = _("部门预算项目支出绩效自评表")
