"""All settings, read from FANKUI_* environment variables with typed helpers.

SQLite under FANKUI_DATA_DIR is the default so that one command gives a working site; PostgreSQL is selected by
FANKUI_DATABASE_URL. Everything the product writes lives under FANKUI_DATA_DIR.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# The typed readers of FANKUI_<name> (fankui.envvars); every variable is read here, through them.
from fankui.envvars import bad, env_bool, env_choice, env_fraction, env_int, env_list, env_rate, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
FANKUI_DATA_DIR = Path(env_str("DATA_DIR", "var")).resolve()
FANKUI_DATA_DIR.mkdir(parents=True, exist_ok=True)


def _kept_key(filename: str, make: Callable[[], str]) -> str:
    """A key generated once and kept in the data directory (readable by its owner only)."""
    path = FANKUI_DATA_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _secret_key() -> str:
    """Use FANKUI_SECRET_KEY, or a key generated once and kept in the data directory."""
    return env_str("SECRET_KEY") or _kept_key("secret_key", lambda: secrets.token_urlsafe(50))


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])

INSTALLED_APPS = [
    # Django's admin, its forms under the text rule (core.admin_site).
    "fankui.core.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Listed so that /api/v1/docs uses the Swagger UI files shipped in the package, never a CDN.
    "ninja",
    # Lockout after repeated failed logins (staff login and /admin/), and TOTP two-factor (docs/security.md).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "fankui.core",
    "fankui.accounts",
    "fankui.audit",
    "fankui.intake",
    "fankui.cases",
    "fankui.analysis",
    "fankui.topics",
    "fankui.sla",
    "fankui.surveys",
    "fankui.actions",
    "fankui.notify",
    "fankui.insights",
    "fankui.portal",
    "fankui.questionnaires",
    # Channels: every one translates what arrived and calls cases.services.receiving.receive.
    "fankui.desk",
    "fankui.mail",
    "fankui.open311",
    "fankui.imports",
    "fankui.partners",
    "fankui.privacy",
    # Above every other app: the benchmarks and the demo data (their `fankui bench` and `fankui demo` commands).
    "fankui.bench",
    "fankui.demo",
]

MIDDLEWARE = [
    # The request id in every log line of the request and in the X-Request-ID answer (core.logs).
    "fankui.core.middleware.RequestId",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on pages (django-csp; CONTENT_SECURITY_POLICY below).
    "fankui.core.middleware.PageCSP",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An address with a control character (a NUL PostgreSQL would refuse) is not found (core.middleware).
    "fankui.core.middleware.NoControlCharactersInPath",
    # A Content-Length that is not a number is a 400, before anything reads the body (core.middleware).
    "fankui.core.middleware.ContentLengthIsANumber",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle sessions end, staff who must use a second factor give it, logins are rate-limited (accounts.middleware).
    "fankui.accounts.middleware.StaffSession",
    # Who is signed in, for the audit entry of a change of someone's rights (audit.receivers).
    "fankui.audit.receivers.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A 405 becomes a page with a way back (the API's: JSON); fankui.errorpages.
    "fankui.errorpages.MethodNotAllowedPage",
    # The database unreachable or the attachment store full: 503 with Retry-After, never a 500 (core.middleware).
    "fankui.core.middleware.ServiceUnavailable",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fankui.urls"
WSGI_APPLICATION = "fankui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
FANKUI_DATABASE_URL = env_str("DATABASE_URL")
if FANKUI_DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(FANKUI_DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError:
        # The value is not repeated: it may hold a password.
        raise ImproperlyConfigured(
            "FANKUI_DATABASE_URL: expected a database URL, e.g. postgres://user@host:5432/fankui"
        ) from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Server-side binding lets psycopg prepare the statements every request repeats (intake's inserts),
        # which saves PostgreSQL parsing and planning them each time.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    # Through PgBouncer in transaction mode: no cursor may outlive a transaction (docs/deploy/README.md).
    FANKUI_DATABASE_POOLED = env_bool("DATABASE_POOLED", False)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = FANKUI_DATABASE_POOLED
    # A streaming replica the dashboard and the reports read from (core.replica); all else stays on the primary.
    FANKUI_REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL")
    if FANKUI_REPLICA_DATABASE_URL:
        try:
            _replica = dj_database_url.parse(FANKUI_REPLICA_DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        except ValueError:
            raise ImproperlyConfigured("FANKUI_REPLICA_DATABASE_URL: expected a database URL") from None
        _replica["OPTIONS"], _replica["TEST"] = dict(DATABASES["default"]["OPTIONS"]), {"MIRROR": "default"}
        _replica["DISABLE_SERVER_SIDE_CURSORS"] = FANKUI_DATABASE_POOLED
        DATABASES["replica"] = _replica
else:
    FANKUI_DATABASE_POOLED = False
    FANKUI_REPLICA_DATABASE_URL = ""
    DATABASES = {
        "default": {
            # Django's own SQLite backend (docs/decisions/0003: no writer lock of ours).
            "ENGINE": "django.db.backends.sqlite3",
            # Opening a connection runs the PRAGMAs below; keeping it saves that on every request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "NAME": str(FANKUI_DATA_DIR / "fankui.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on busy_timeout instead of
                # failing with "database is locked" when a read transaction tries to upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DATABASE_ROUTERS = ["fankui.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes' backend first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Language and time -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ValueError, ZoneInfoNotFoundError):
    raise bad("TIME_ZONE", "a time zone name, e.g. Asia/Shanghai") from None
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = FANKUI_DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = FANKUI_DATA_DIR / "media"


def attachment_storage() -> dict[str, object]:
    """Where attachments and evidence are kept: "local" (MEDIA_ROOT) or "s3", S3-compatible object storage that every
    machine reaches (django-storages; private objects, downloaded through the site; docs/deploy/README.md)."""
    kind = env_choice("ATTACHMENT_STORAGE", "local", ["local", "s3"])
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env_str("S3_BUCKET").strip()
    if not bucket:
        raise ImproperlyConfigured("FANKUI_ATTACHMENT_STORAGE=s3: FANKUI_S3_BUCKET must name the bucket")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("S3_ENDPOINT_URL").strip() or None,
            "region_name": env_str("S3_REGION").strip() or None,
            "access_key": env_str("S3_ACCESS_KEY") or None,
            "secret_key": env_str("S3_SECRET_KEY") or None,
            "location": env_str("S3_PREFIX").strip().strip("/"),
            "addressing_style": env_choice("S3_ADDRESSING", "path", ["path", "virtual"]),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": attachment_storage(),
    "staticfiles": {"BACKEND": "fankui.core.storage.StaticStorage"},
}
# Also serve files straight from the package, so that a server started before `collectstatic` works.
WHITENOISE_USE_FINDERS = True
# Uploads above this go to a temporary file instead of memory; the hard limit is checked by intake.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024

# --- Web hardening and operations (docs/security.md, "Web hardening and operations") ----------------------------
# A site whose public address is https gets secure cookies and HSTS by default. Behind a proxy that ends TLS, Django
# sees plain http: FANKUI_PROXY_SSL_HEADER names the header the proxy sets to "https" (X-Forwarded-Proto), and only
# then are plain-http requests redirected (without it every request would look insecure: a redirect loop).
_HTTPS = env_str("PUBLIC_URL").strip().lower().startswith("https://")
FANKUI_PROXY_SSL_HEADER = env_str("PROXY_SSL_HEADER").strip()
if FANKUI_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + FANKUI_PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", _HTTPS and bool(FANKUI_PROXY_SSL_HEADER))
# Load balancers probe over plain http, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A form refused for its missing token gets the site's 403 page saying what to do (fankui.errorpages).
CSRF_FAILURE_VIEW = "fankui.errorpages.csrf_failure"
# Framing: DENY everywhere but the public board's widget (portal.views_board), which other sites embed; that is why
# the Content-Security-Policy below has no frame-ancestors (it would override the exemption).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# A tracking page's address holds its code: other sites never see it in a Referer.
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from the site's own files, never inline, no eval
# (htmx's indicator styles are in app.css, the charts draw their tooltips on the canvas).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the small icons Swagger UI (/api/v1/docs) and the charts' saved images use.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
# The worker's heartbeat is stale after this long: /readyz fails and staff pages say so in their header.
FANKUI_WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 120, minimum=10)
# /readyz fails while more cases than this wait for their analysis.
FANKUI_READY_MAX_BACKLOG = env_int("READY_MAX_BACKLOG", 1000, minimum=1)
# `fankui doctor` fails when the data directory or a folder a backup keeps has less free space than this (MB), and
# warns under three times as much; messages still queued this many minutes after they were due are a backlog.
FANKUI_MIN_FREE_MB = env_int("MIN_FREE_MB", 1024, minimum=1)
FANKUI_OUTBOX_LATE_MINUTES = env_int("OUTBOX_LATE_MINUTES", 15, minimum=1)
# Where `fankui backup` and `restore` find pg_dump, pg_restore and psql; empty: /usr/lib/postgresql/<server's major
# version or newer>/bin, then PATH.
FANKUI_PG_BIN_DIR = env_str("PG_BIN_DIR")

# --- Authentication and abuse (docs/security.md) -------------------------------------------------------------------
# A session unused for this long ends: the member of staff signs in again (accounts.middleware.StaffSession renews
# the expiry as they work, at most once a minute, instead of writing the session on every request).
FANKUI_SESSION_IDLE_HOURS = env_int("SESSION_IDLE_HOURS", 8, minimum=1)
SESSION_COOKIE_AGE = FANKUI_SESSION_IDLE_HOURS * 3600
# Failed logins (staff login and /admin/) before the account, and separately the address, is locked out for a while.
FANKUI_LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
FANKUI_LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = FANKUI_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=FANKUI_LOGIN_LOCKOUT_MINUTES)
# Each on its own: guessing one account's password from many addresses, or many accounts' from one address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fankui.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "fankui.core.throttle.client_address"
AXES_VERBOSE = False
# Roles whose members must give a code from an authenticator app after their password ("none": nobody must; a user
# who enrolled anyway is always asked). Superusers count as administrators.
FANKUI_TWO_FACTOR_ROLES = [r for r in env_list("TWO_FACTOR_ROLES", ["admin", "supervisor"]) if r != "none"]
OTP_TOTP_ISSUER = env_str("TWO_FACTOR_ISSUER", "Fankui")
# Staff API tokens stop working this many days after they are issued.
FANKUI_API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
# How many proxies in front of the site append to X-Forwarded-For; 0: the client is the connection's address.
# Lockout and rate limits count per client address, so behind a proxy this must be set (core.throttle).
FANKUI_TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)


# Rate limits of the public entry points and the login, per client address and (submissions) per phone or e-mail
# (core.throttle). Answered with 429 and Retry-After.
FANKUI_RATE_LIMITS = {
    "submit": env_rate("RATE_SUBMIT", "20/h"),
    "submit_contact": env_rate("RATE_SUBMIT_CONTACT", "10/h"),
    "track": env_rate("RATE_TRACK", "300/h"),
    "rate": env_rate("RATE_RATING", "20/h"),
    # The submitter's answers to staff's questions on the tracking page (words and files), per client address.
    "answer": env_rate("RATE_ANSWER", "20/h"),
    "login": env_rate("RATE_LOGIN", "30/10m"),
    # Per signed-in user: the operator's suggestions while typing (one request per pause, about 3 a second at most).
    "suggest": env_rate("RATE_SUGGEST", "240/m"),
    # Each page a respondent posts on a questionnaire's public or invitation link, per client address: a person
    # answers a few pages a minute; a bot flooding a public link stops here.
    "questionnaire": env_rate("RATE_QUESTIONNAIRE", "120/h"),
    # Each phone response an operator sends (a questionnaire's answers taken on a call, with or without an
    # invitation), per signed-in user: a call takes minutes; a script storing made-up responses stops here.
    "phone_answer": env_rate("RATE_PHONE_ANSWER", "120/h"),
}
# Open311 GeoReport v2 (/open311/v2/, docs/open311.md): every request per client address, and a client's POSTs and
# update pulls per client key (a client's own "rate" in the admin wins).
FANKUI_RATE_LIMITS.update(
    {
        "open311": env_rate("RATE_OPEN311", "1200/h"),
        "open311_client": env_rate("RATE_OPEN311_CLIENT", "3000/h"),
    }
)
# 一次一评 and 回访 (docs/surveys.md): a window's or a staff member's public rating page, per client address (a hall's
# visitors may share one network: higher than a reply's rating); the call page of 回访, per operator (each opening
# shows a person's phone number, never to be run in bulk).
FANKUI_RATE_LIMITS.update(
    {
        "rate_window": env_rate("RATE_WINDOW", "30/h"),
        "follow_up": env_rate("RATE_FOLLOW_UP", "120/h"),
        # The staff API of rectifications and appeals, per user: a department's client syncing its list, not a
        # crawler of the ratings' comments.
        "goodbad_api": env_rate("RATE_GOODBAD_API", "1200/h"),
    }
)
# 1: Open311 reads show a replied request's reply (the submitter's name and address masked, then as on the board);
# 0, the default: only the state's name, as staff often repeat a person's name or address in a reply.
FANKUI_OPEN311_PUBLIC_REPLIES = env_bool("OPEN311_PUBLIC_REPLIES", False)
# The one GeoReport v2 jurisdiction_id the endpoint serves and discovery publishes; a request naming another answers
# 404 (open311.jurisdiction). Empty: the host name of FANKUI_PUBLIC_URL (or of the address served) without "www.".
FANKUI_OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID")
# Where the rate-limit counters live (and the dashboard's figures): this process's memory by default. With several
# server processes (FANKUI_WEB_WORKERS above 1) or machines, set a cache they share, or each counts on its own:
# "db" (a table in the database; create it once with `fankui createcachetable`) or "redis://host:6379/0".
FANKUI_CACHE_URL = env_str("CACHE_URL")


def _cache() -> dict[str, object]:
    url = FANKUI_CACHE_URL.strip()
    if not url or url == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fankui"}
    if url in {"db", "database"}:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "fankui_cache"}
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise bad("CACHE_URL", '"locmem", "db" or a redis:// address')


CACHES = {"default": _cache()}

# --- Personal data (docs/privacy.md) -------------------------------------------------------------------------------
# Contact details are encrypted at rest (Fernet) with the first of these keys; the others still decrypt, so a new
# key goes first and `fankui rotate-key` re-encrypts every row with it. Unset: one key generated once and kept in the
# data directory (back it up with the database: without it the contact details cannot be read).
FANKUI_ENCRYPTION_KEYS = (
    env_list("ENCRYPTION_KEYS", [])
    or env_list("ENCRYPTION_KEY", [])
    or [_kept_key("encryption_key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode())]
)
# The key of the keyed hashes (HMAC-SHA256) that find a caller's cases by phone number or e-mail without decrypting.
# Changing it makes earlier cases unfindable by number until `fankui rotate-key` recomputes the hashes.
FANKUI_LOOKUP_KEY = env_str("LOOKUP_KEY") or _kept_key("lookup_key", lambda: secrets.token_urlsafe(32))


def _years_by_kind(items: list[str]) -> dict[str, int]:
    """``report=10,praise=1``: a number of years per kind of request."""
    years: dict[str, int] = {}
    for item in items:
        kind, _sep, value = item.partition("=")
        if not value.strip().isdigit() or int(value) < 1 or not kind.strip():
            raise bad("RETENTION_YEARS_BY_KIND", "kind=years pairs separated by commas, e.g. report=10,praise=1")
        years[kind.strip()] = int(value)
    return years


# Contact details of a closed case are anonymised this many years after it closed (the retention sweep), per kind of
# request where FANKUI_RETENTION_YEARS_BY_KIND says otherwise.
FANKUI_RETENTION_YEARS = env_int("RETENTION_YEARS", 3, minimum=1)
FANKUI_RETENTION_YEARS_BY_KIND = _years_by_kind(env_list("RETENTION_YEARS_BY_KIND", []))
# The addresses of a questionnaire's invitation list (e-mail addresses, mobile numbers) are erased this many days
# after the questionnaire closed (the same sweep); the invitations' counts, and so the response rate, stay.
FANKUI_RETENTION_INVITATION_DAYS = env_int("RETENTION_INVITATION_DAYS", 180, minimum=1)
# The one-time code a citizen is sent before seeing, downloading or erasing their data: minutes valid, tries allowed.
FANKUI_PRIVACY_CODE_MINUTES = env_int("PRIVACY_CODE_MINUTES", 15, minimum=1)
FANKUI_PRIVACY_CODE_ATTEMPTS = env_int("PRIVACY_CODE_ATTEMPTS", 5, minimum=1)
# How long a proven code lets the citizen see and download their data in this browser.
FANKUI_PRIVACY_SESSION_MINUTES = env_int("PRIVACY_SESSION_MINUTES", 30, minimum=1)

# --- E-mail ------------------------------------------------------------------------------------------------------
# With FANKUI_SMTP_HOST set, mail goes through that server. Without it (a demo, a laptop, an intranet with no mail
# server yet) every e-mail is written as a file under FANKUI_DATA_DIR/outbox, so nothing fails and nothing is lost.
EMAIL_HOST = env_str("SMTP_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("SMTP_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("SMTP_USER")
    EMAIL_HOST_PASSWORD = env_str("SMTP_PASSWORD")
    EMAIL_USE_TLS = env_bool("SMTP_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("SMTP_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(FANKUI_DATA_DIR / "outbox")
DEFAULT_FROM_EMAIL = env_str("FROM_EMAIL", "fankui@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Product rules ---------------------------------------------------------------------------------------------
# Each is the Django setting of the same name as its variable (settings.FANKUI_PAGE_SIZE); tests override them with
# pytest-django's `settings` fixture. README.md's configuration table describes every one.
FANKUI_MAX_BODY_CHARS = env_int("MAX_BODY_CHARS", 10_000, minimum=1)
FANKUI_MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1)
FANKUI_MAX_ATTACHMENTS = env_int("MAX_ATTACHMENTS", 6)
# After a reply, the citizen has this many days to rate before the case closes on its own.
FANKUI_RATING_WINDOW_DAYS = env_int("RATING_WINDOW_DAYS", 7)
# 好差评 (docs/surveys.md): a reminder to rate this many days after a reply (once; 0: never), the working days a
# department has to rectify a bad rating, and the levels counted as satisfied in 满意率 (5 非常满意 ... 1 非常不满意).
FANKUI_RATING_REMINDER_DAYS = env_int("RATING_REMINDER_DAYS", 3)
FANKUI_RECTIFICATION_WORKING_DAYS = env_int("RECTIFICATION_WORKING_DAYS", 15, minimum=1)
FANKUI_SATISFIED_LEVELS = [
    int(level) for level in env_list("SATISFIED_LEVELS", ["5", "4", "3"]) if level.isdigit() and 1 <= int(level) <= 5
] or [5, 4, 3]
# 回访: how many cases closed in the last 30 days the call list draws at random each day (the same draw all day).
FANKUI_FOLLOW_UP_SAMPLE = env_int("FOLLOW_UP_SAMPLE", 10, minimum=0)
# Bulk import (docs/imports.md): the largest file the admin page takes, and the rows a worker commits at once.
FANKUI_IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 512 * 1024 * 1024, minimum=1)
FANKUI_IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 200, minimum=1)
FANKUI_PAGE_SIZE = env_int("PAGE_SIZE", 25, minimum=1)
FANKUI_WORKER_POLL_SECONDS = env_int("WORKER_POLL_SECONDS", 5, minimum=1)
# How much lower than the web processes' the worker's CPU priority is (os.nice; 0: the same). Where they share the
# cores, answering people comes first and the analysis catches up after a burst (fankui bench soak).
FANKUI_WORKER_NICE = env_int("WORKER_NICE", 10, minimum=0)
# After asking the submitter for more information, the deadlines wait this many working days for an answer,
# then run again on their own (the case says so).
FANKUI_INFO_WAIT_WORKING_DAYS = env_int("INFO_WAIT_WORKING_DAYS", 5, minimum=1)
# Warn administrators this many days before the working calendar's known holidays run out (docs/sla.md).
FANKUI_CALENDAR_WARN_DAYS = env_int("CALENDAR_WARN_DAYS", 92)

# --- Analysis (docs/analysis.md) ----------------------------------------------------------------------------------
# Dispatch automatically when the routing model is at least this sure; None = never.
FANKUI_AUTO_DISPATCH_CONFIDENCE = env_fraction("AUTO_DISPATCH_CONFIDENCE", None)
# A case whose submitter chose no kind (no category) takes the analysed one when the analysis is at least this sure
# (None = never); staff's and the submitter's choices are never changed.
FANKUI_APPLY_KIND_CONFIDENCE = env_fraction("APPLY_KIND_CONFIDENCE", 0.7)
FANKUI_APPLY_CATEGORY_CONFIDENCE = env_fraction("APPLY_CATEGORY_CONFIDENCE", 0.6)
# Retrain the category and routing models from the organisation's cases this often.
FANKUI_RETRAIN_DAYS = env_int("RETRAIN_DAYS", 7, minimum=1)

# --- Serving and links -------------------------------------------------------------------------------------------
# Where `fankui serve` listens; `fankui serve --bind` overrides it for every process it starts (make run sets it).
FANKUI_BIND = env_str("BIND", "127.0.0.1:8000")
# One process per core does the Python work; its threads wait on the database in turn. Capped so that a big
# machine does not start dozens by default.
FANKUI_WEB_WORKERS = env_int("WEB_WORKERS", min(os.cpu_count() or 1, 16), minimum=1)
FANKUI_WEB_THREADS = env_int("WEB_THREADS", 2, minimum=1)
# The site's address as citizens reach it, for links in messages; empty: the address served (core.site.public_url).
FANKUI_PUBLIC_URL = env_str("PUBLIC_URL")
FANKUI_PUBLIC_BOARD = env_bool("PUBLIC_BOARD", True)

# --- Messages (docs/notify.md) -----------------------------------------------------------------------------------
# Where SMS are POSTed as JSON ({"to", "text", "id"}); empty: SMS wait in the queue.
FANKUI_SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
# How long a worker's claim on a message lasts: another worker sends it after this when the first died mid-send
# (again with the same SMS "id" and e-mail Message-ID). Longer than the slowest send (10 s gateway timeout). The
# steps after an analysis (dispatch, topics) left due this long after it are taken up by the follow-up sweep too.
FANKUI_NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300, minimum=15)
# Quiet hours in the site's time zone ("22:00-08:00"; empty: none): staff e-mail that is not urgent and SMS to
# citizens that they did not just ask for wait for the end of the period (notify.quiet).
FANKUI_QUIET_HOURS = env_str("QUIET_HOURS").strip()

# --- E-mail intake (docs/mail.md) ----------------------------------------------------------------------------------
# The mailbox the worker polls (imaps://user:password@host:993/INBOX; imap:// is plain, for loopback only); empty:
# no polling. Messages handled are moved to the processed folder (empty: deleted), those set aside to the failed one.
FANKUI_IMAP_URL = env_str("IMAP_URL")
FANKUI_MAIL_PROCESSED_FOLDER = env_str("MAIL_PROCESSED_FOLDER", "Fankui-Processed")
FANKUI_MAIL_FAILED_FOLDER = env_str("MAIL_FAILED_FOLDER", "Fankui-Failed")
FANKUI_MAIL_POLL_SECONDS = env_int("MAIL_POLL_SECONDS", 60, minimum=1)
# Where `fankui mail smtpd` listens (host:port), the alternative to a polled mailbox.
FANKUI_SMTPD_BIND = env_str("SMTPD_BIND")
# Addresses of the mail servers that relay to the listener: not counted against the "submit" limit per connecting
# address (every message comes from them); their messages are still limited per sender ("submit_contact").
FANKUI_SMTPD_RELAYS = env_list("SMTPD_RELAYS", [])
# A larger message is set aside unread (IMAP) or refused with 552 (SMTP).
FANKUI_MAIL_MAX_BYTES = env_int("MAIL_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
# Reply-To of what we send about a case, when replies should go to another address than FANKUI_FROM_EMAIL.
FANKUI_MAIL_REPLY_TO = env_str("MAIL_REPLY_TO")

# --- Reports and dashboard (docs/insights.md) --------------------------------------------------------------------
# Also send last week's report early each week.
FANKUI_REPORT_WEEKLY = env_bool("REPORT_WEEKLY", False)
# Addresses that receive the report instead of the supervisors and administrators.
FANKUI_REPORT_RECIPIENTS = env_list("REPORT_RECIPIENTS", [])
# The monthly report goes out on the first days of a month only, so that a worker started mid-month does not send
# last month's report late; the weekly one within as many days of a week's start (at most 7).
FANKUI_REPORT_SEND_WITHIN_DAYS = env_int("REPORT_SEND_WITHIN_DAYS", 3, minimum=1)
# How long the dashboard keeps the figures of a scope and period; 0 computes them on every request.
FANKUI_DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 300)

# --- Partner systems (docs/partners.md) -----------------------------------------------------------------------
# Requests a partner system may send, unless its own limit says otherwise (N/unit or "off").
FANKUI_PARTNER_RATE = env_rate("PARTNER_RATE", "600/m")
# How far a signed request's timestamp may be from the server's clock; a signature is refused twice within it.
FANKUI_PARTNER_REPLAY_SECONDS = env_int("PARTNER_REPLAY_SECONDS", 300, minimum=30)
# The largest body a partner may post (a submission is at most 10,000 characters of text).
FANKUI_PARTNER_MAX_BODY_BYTES = env_int("PARTNER_MAX_BODY_BYTES", 256 * 1024, minimum=16 * 1024)

# --- Questionnaires' results and alerts (docs/questionnaires.md) ---------------------------------------------------
# A detractor (NPS 0-6) or a very dissatisfied answer opens a follow-up case through intake (questionnaires.alerts).
FANKUI_QUESTIONNAIRE_FOLLOW_UP = env_bool("QUESTIONNAIRE_FOLLOW_UP", True)
# Exports of a questionnaire's answers (XLSX, CSV), per signed-in user.
FANKUI_RATE_LIMITS["questionnaire_export"] = env_rate("RATE_QUESTIONNAIRE_EXPORT", "30/h")

# --- Demo ----------------------------------------------------------------------------------------------------------
# The folder `fankui demo` reads the real messages from (its --data-dir wins); empty: shared/data beside the
# repository when present (core.datasets, which reads FANKUI_SHARED_DATA itself: tests and benchmarks need it
# without Django settings).
FANKUI_DEMO_DATA = env_str("DEMO_DATA")

# One JSON object a line (time, level, logger, message, request_id, case; core.logs), for a log collector; "plain"
# for a person reading a terminal (`make run` uses it). Every line of a request, and of the worker's analysis of a case
# and the sending of its messages, carries the request id of the case's intake (docs/operations.md "Logs").
FANKUI_LOG_FORMAT = env_choice("LOG_FORMAT", "json", ["json", "plain"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "fankui.core.logs.Json"},
    },
    "filters": {
        # A 403 or 400 is logged in one line, without the traceback Django attaches (fankui.core.logs).
        "client_errors_in_one_line": {"()": "fankui.core.logs.ClientErrorsInOneLine"},
        "context": {"()": "fankui.core.logs.WithContext"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": FANKUI_LOG_FORMAT, "filters": ["context"]},
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["client_errors_in_one_line"]},
    },
}
