"""All settings, read from FANKUI_* environment variables with typed helpers.

SQLite under FANKUI_DATA_DIR is the default so that one command gives a working site; PostgreSQL is selected by
FANKUI_DATABASE_URL. Everything the product writes lives under FANKUI_DATA_DIR.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(f"FANKUI_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(f"FANKUI_{name}")
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(f"FANKUI_{name}")
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use FANKUI_SECRET_KEY, or a key generated once and kept in the data directory."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Listed so that /api/v1/docs uses the Swagger UI files shipped in the package, never a CDN.
    "ninja",
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
    # Above every other app: the benchmarks and the demo data (their `fankui bench` and `fankui demo` commands).
    "fankui.bench",
    "fankui.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A 405 becomes a page with a way back (the API's: JSON); fankui.errorpages.
    "fankui.errorpages.MethodNotAllowedPage",
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
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Server-side binding lets psycopg prepare the statements every request repeats (intake's inserts),
        # which saves PostgreSQL parsing and planning them each time.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
else:
    DATABASES = {
        "default": {
            # Django's own SQLite backend (docs/decisions/0003: no writer lock of ours).
            "ENGINE": "django.db.backends.sqlite3",
            # Opening a connection runs the PRAGMAs below; keeping it saves that on every request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "NAME": str(DATA_DIR / "fankui.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on busy_timeout instead of
                # failing with "database is locked" when a read transaction tries to upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "accounts:login"
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
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "fankui.core.storage.StaticStorage"},
}
# Also serve files straight from the package, so that a server started before `collectstatic` works.
WHITENOISE_USE_FINDERS = True
# Uploads above this go to a temporary file instead of memory; the hard limit is checked by intake.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024

# --- Security --------------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A form refused for its missing token gets the site's 403 page saying what to do (fankui.errorpages).
CSRF_FAILURE_VIEW = "fankui.errorpages.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- E-mail ------------------------------------------------------------------------------------------------------
# With FANKUI_SMTP_HOST set, mail goes through that server. Without it (a demo, a laptop, an intranet with no mail
# server yet) every e-mail is written as a file under FANKUI_DATA_DIR/outbox, so nothing fails and nothing is lost.
EMAIL_HOST = env_str("SMTP_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("SMTP_PORT", 587)
    EMAIL_HOST_USER = env_str("SMTP_USER")
    EMAIL_HOST_PASSWORD = env_str("SMTP_PASSWORD")
    EMAIL_USE_TLS = env_bool("SMTP_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("SMTP_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
DEFAULT_FROM_EMAIL = env_str("FROM_EMAIL", "fankui@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Product rules ---------------------------------------------------------------------------------------------
FANKUI: dict[str, Any] = {
    "ORG_NAME": env_str("ORG_NAME", ""),
    "MAX_BODY_CHARS": env_int("MAX_BODY_CHARS", 10_000),
    "MAX_TITLE_CHARS": 200,
    "MAX_ATTACHMENT_BYTES": env_int("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024),
    "MAX_ATTACHMENTS": env_int("MAX_ATTACHMENTS", 6),
    # After a reply, the citizen has this many days to rate before the case closes on its own.
    "RATING_WINDOW_DAYS": env_int("RATING_WINDOW_DAYS", 7),
    "PAGE_SIZE": env_int("PAGE_SIZE", 25),
    "WORKER_POLL_SECONDS": env_int("WORKER_POLL_SECONDS", 5),
    # After asking the submitter for more information, the deadlines wait this many working days for an answer,
    # then run again on their own (the case says so).
    "INFO_WAIT_WORKING_DAYS": env_int("INFO_WAIT_WORKING_DAYS", 5),
    # Analysis: dispatch automatically when the routing model is at least this sure (0..1); empty = never.
    "AUTO_DISPATCH_CONFIDENCE": env_str("AUTO_DISPATCH_CONFIDENCE", ""),
    # Analysis: a case whose submitter chose no kind (no category) takes the analysed one when the analysis is at
    # least this sure (0..1; empty = never); staff's and the submitter's choices are never changed. docs/analysis.md
    "APPLY_KIND_CONFIDENCE": env_str("APPLY_KIND_CONFIDENCE", "0.7"),
    "APPLY_CATEGORY_CONFIDENCE": env_str("APPLY_CATEGORY_CONFIDENCE", "0.6"),
    # Analysis: retrain the category and routing models from the organisation's cases this often.
    "RETRAIN_DAYS": env_int("RETRAIN_DAYS", 7),
    # Warn administrators this many days before the working calendar's known holidays run out (docs/sla.md).
    "CALENDAR_WARN_DAYS": env_int("CALENDAR_WARN_DAYS", 92),
}
ORG_DISPLAY_NAME = FANKUI["ORG_NAME"] or _("Fankui feedback")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A 403 or 400 is logged in one line, without the traceback Django attaches (fankui.core.logs).
    "filters": {"client_errors_in_one_line": {"()": "fankui.core.logs.ClientErrorsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["client_errors_in_one_line"]},
    },
}
