"""CareStat's one settings module: everything that varies comes from the environment.

CARESTAT_ENV        development (default) or production; production requires a secret key,
                    allowed hosts and DEBUG off
CARESTAT_DATA_DIR   where the database file, analytics stores and uploads live (./var)
DATABASE_URL        sqlite:///... (default, under the data dir) or postgres://...
CARESTAT_SECRET_KEY Django's secret key; generated and kept in the data dir outside production
CARESTAT_PSEUDONYMISATION_KEY  the keyed-hash secret for person identifiers, kept likewise
CARESTAT_DEBUG      true or false (false)
CARESTAT_ALLOWED_HOSTS  comma-separated host names (127.0.0.1,localhost outside production)
CARESTAT_HTTPS      true behind TLS: redirect to https and send HSTS (false)
CARESTAT_DEMO       true when serving the demo: the sign-in page lists the demo accounts (false;
                    `carestat demo` sets it); never set it where real people sign in
CARESTAT_TRUSTED_PROXY  the address of the proxy whose X-Forwarded-* headers `carestat serve`
                    believes (127.0.0.1); blank to believe none
CARESTAT_TRUSTED_PROXY_HEADERS  which of them (x-forwarded-proto x-forwarded-for x-forwarded-host)
CARESTAT_REFERENCE_DIR  reference data holding measure_catalogue.csv (carestat/reference)
CARESTAT_BASE_URL   the address people reach CareStat at, for links in emails (http://127.0.0.1:8000)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from carestat.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    env_words,
    kept_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

CARESTAT_ENV = env_choice("CARESTAT_ENV", "development", ("development", "production"))
PRODUCTION = CARESTAT_ENV == "production"
DEBUG = env_bool("CARESTAT_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigError("CARESTAT_DEBUG must be false when CARESTAT_ENV=production")

# One data directory: production must name it; elsewhere it is the checkout's own var/, never
# a var/ under whatever folder a command happens to be run from (which gave the same council a
# second database and a second pseudonymisation key).
if PRODUCTION and not env_str("CARESTAT_DATA_DIR"):
    raise ConfigError("CARESTAT_DATA_DIR is required in production (CARESTAT_ENV=production)")
DATA_DIR = env_path("CARESTAT_DATA_DIR", str(BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
ANALYTICS_DIR = DATA_DIR / "analytics"
if (not env_str("CARESTAT_PSEUDONYMISATION_KEY") and not (DATA_DIR / "pseudonymisation_key").exists()
        and any(ANALYTICS_DIR.glob("*.duckdb"))):
    raise ConfigError(
        f"{DATA_DIR} holds analytics stores but no pseudonymisation key: a new key would give the same "
        "people different keys. Restore the data directory's pseudonymisation_key file, or set "
        "CARESTAT_PSEUDONYMISATION_KEY to the key the stores were loaded with")
UPLOADS_DIR = DATA_DIR / "uploads"
MEDIA_ROOT = DATA_DIR / "media"
# Shared reference data (the measure catalogue and national benchmarks).
CARESTAT_REFERENCE_DIR = env_path("CARESTAT_REFERENCE_DIR", str(PACKAGE_DIR / "reference"))

SECRET_KEY = kept_secret(DATA_DIR / "secret_key", "CARESTAT_SECRET_KEY", required=PRODUCTION)
PSEUDONYMISATION_KEY = kept_secret(
    DATA_DIR / "pseudonymisation_key", "CARESTAT_PSEUDONYMISATION_KEY", required=PRODUCTION
)

ALLOWED_HOSTS = env_list(
    "CARESTAT_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("CARESTAT_ALLOWED_HOSTS is required in production")

_database_url = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'carestat.sqlite3'}"
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
except ValueError as exc:
    raise ConfigError(f"DATABASE_URL is not a database address CareStat understands: {exc}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "carestat.core",
    "carestat.plans",
    "carestat.measures",
    "carestat.casedata",
    "carestat.reports",
    "carestat.risks",
    "carestat.finance",
    "carestat.commissioning",
    "carestat.quality",
    "carestat.jurisdictions",
    "carestat.governance",
    "carestat.demand",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "carestat.core.middleware.SecurityHeadersMiddleware",
    # Each request starts with no organisation in scope; org_access activates the one in the URL.
    "carestat.core.tenancy.TenancyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carestat.core.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carestat.core.middleware.MustChangePasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "carestat.core.middleware.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "carestat.core.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "carestat.urls"
WSGI_APPLICATION = "carestat.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:signin"
LOGIN_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "carestat.jinja2.environment"},
    },
    {
        # Only Django's own machinery (form widgets) uses this engine; pages are Jinja2.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout after repeated failed sign-ins (django-axes), keyed on the account *and* the client's
# address, so a stranger who types someone's email wrongly locks out only themselves. The
# address is REMOTE_ADDR, which `carestat serve` takes from the trusted proxy's X-Forwarded-For
# (and from nobody else's); never a header a client could set. Across all addresses the account
# itself slows down instead (carestat.core.signin_guard): after as many failures again, each
# further try waits twice as long as the last, up to CARESTAT_LOCKOUT_BACKOFF_MAX_SECONDS, so
# guessing from many addresses crawls while the real person is never shut out for long.
AXES_FAILURE_LIMIT = env_int("CARESTAT_LOCKOUT_ATTEMPTS", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CARESTAT_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "carestat.core.signin_guard.client_address"
CARESTAT_LOCKOUT_BACKOFF_MAX_SECONDS = env_int("CARESTAT_LOCKOUT_BACKOFF_MAX_SECONDS", 60, minimum=1)
# API tokens stop working this many days after they are made.
CARESTAT_API_TOKEN_DAYS = env_int("CARESTAT_API_TOKEN_DAYS", 90, minimum=1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "carestat.core.views.auth.locked_out"
AXES_VERBOSE = False

# Sessions and cookies: secure outside debug; sessions end with the browser and after 8 hours.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CARESTAT_HTTPS = env_bool("CARESTAT_HTTPS", False)
SECURE_SSL_REDIRECT = CARESTAT_HTTPS
SECURE_HSTS_SECONDS = 31536000 if CARESTAT_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = CARESTAT_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CARESTAT_HTTPS else None
# Waitress (``carestat serve``) strips X-Forwarded-* headers from any peer it does not trust, and
# Django then sees every request as plain http: behind a proxy each page redirected to itself.
# Trusting the proxy's address lets Waitress pass on the scheme, client address and host.
CARESTAT_TRUSTED_PROXY = env_str("CARESTAT_TRUSTED_PROXY", "127.0.0.1") or None
CARESTAT_TRUSTED_PROXY_HEADERS = env_words(
    "CARESTAT_TRUSTED_PROXY_HEADERS", "x-forwarded-proto x-forwarded-for x-forwarded-host",
    ("x-forwarded-proto", "x-forwarded-for", "x-forwarded-host", "x-forwarded-port", "x-forwarded-by", "forwarded"),
)
if "forwarded" in CARESTAT_TRUSTED_PROXY_HEADERS and len(CARESTAT_TRUSTED_PROXY_HEADERS) > 1:
    raise ConfigError("CARESTAT_TRUSTED_PROXY_HEADERS: trust either 'forwarded' or the x-forwarded-* headers, not both")
if CARESTAT_TRUSTED_PROXY and not CARESTAT_TRUSTED_PROXY_HEADERS:
    raise ConfigError("CARESTAT_TRUSTED_PROXY_HEADERS is blank; name the headers the proxy sets, "
                      "or leave CARESTAT_TRUSTED_PROXY blank to trust no proxy")
CSRF_FAILURE_VIEW = "carestat.core.views.errors.csrf_failure"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve from the finders so a checkout runs without collectstatic; production may collect.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_str("CARESTAT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("CARESTAT_FROM_EMAIL", "carestat@localhost")
# Where people reach CareStat, for the links in notification emails (carestat.core.notifications).
CARESTAT_BASE_URL = env_str("CARESTAT_BASE_URL", "http://127.0.0.1:8000")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Long work is queued in the database and run by `carestat worker` (docs/decisions/0010);
# tests run it inline, in the process that starts it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CARESTAT_JOBS_INLINE = env_bool("CARESTAT_JOBS_INLINE", False)
# Serving the demo (`carestat demo` turns it on): the sign-in page lists the demo accounts and
# their shared password, which are public anyway (README), so a visitor can try each role.
CARESTAT_DEMO = env_bool("CARESTAT_DEMO", False)
CARESTAT_MAX_UPLOAD_MB = env_int("CARESTAT_MAX_UPLOAD_MB", 1024, minimum=1)
# A draft report's PDF or Word file is made afresh on each download (an organisation-wide one
# takes seconds of CPU); one person may download this many an hour.
CARESTAT_DRAFT_RENDERS_PER_HOUR = env_int("CARESTAT_DRAFT_RENDERS_PER_HOUR", 10, minimum=1)
# The measures list's judgements are kept this long per process, and judged afresh after any
# recorded change (carestat.measures.selectors.cached_measure_rows); 0 turns it off.
CARESTAT_MEASURE_LIST_CACHE_SECONDS = env_int("CARESTAT_MEASURE_LIST_CACHE_SECONDS", 60, minimum=0)
