"""Agora settings: everything lives here and is driven by the environment.

Development (``make run``) sets ``DEBUG=1`` and gets SQLite, the in-memory
channel layer and the console e-mail backend. Production sets ``DEBUG=0`` (or
leaves it unset) and must provide ``SECRET_KEY`` and ``ALLOWED_HOSTS``; every
other variable is documented in README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_int,
    env_list,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env_str(
        "SECRET_KEY",
        "dev-only-agora-secret-key-not-for-production-0123456789abcdefghijkl",
    )
    ALLOWED_HOSTS = env_list(
        "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = env_required("SECRET_KEY", "a long random string, kept secret")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [
        env_required("ALLOWED_HOSTS", "comma-separated host names of the site")
    ]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "channels",
    "allauth",
    "allauth.account",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "common",
    "accounts",
    "consultation",
    "forum",
    "clustering",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "common.ratelimit.WriteRateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.DatabaseUnavailableMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

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
                "common.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES: dict[str, dict[str, Any]] = {
        "default": dict(
            dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
        )
    }
    # Under ASGI every database call of a websocket or view runs in a worker
    # thread and, without a pool, opens a new PostgreSQL connection (Django's
    # persistent connections don't apply there). psycopg's pool keeps them open.
    if env_bool("DATABASE_POOL") and DATABASES["default"]["ENGINE"].endswith(
        "postgresql"
    ):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # The web process and the worker write to one file: WAL and
                # IMMEDIATE transactions avoid "database is locked" errors.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, rate limits ---------------------------------

REDIS_URL = env_str("REDIS_URL")
# redis-py caps a pool at 100 connections by default; a burst of websocket
# connects then fails with "Too many connections". Size it explicitly.
REDIS_MAX_CONNECTIONS = env_int("REDIS_MAX_CONNECTIONS", 1000)

if REDIS_URL:
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {"address": REDIS_URL, "max_connections": REDIS_MAX_CONNECTIONS}
                ],
                "prefix": env_str("CHANNEL_LAYER_PREFIX", "agora"),
            },
        }
    }
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "agora"),
            "OPTIONS": {"max_connections": REDIS_MAX_CONNECTIONS},
        }
    }
    RATELIMIT_STORAGE_URI = REDIS_URL
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "expiry": 60},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    RATELIMIT_STORAGE_URI = "memory://"

RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", default=True)
# Every write request (common.ratelimit.WriteRateLimitMiddleware): per account
# (or visitor's browser session) and per IP address; a venue's shared address
# needs a generous budget. The services' per-action limits apply on top.
RATELIMIT_WRITE_USER_RATE = env_str("RATELIMIT_WRITE_USER_RATE", "120/minute")
RATELIMIT_WRITE_IP_RATE = env_str("RATELIMIT_WRITE_IP_RATE", "1200/minute")

# --- Background tasks ---------------------------------------------------------

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# --- Accounts -----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str(
    "ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory"
)
if not DEBUG and ACCOUNT_EMAIL_VERIFICATION != "mandatory":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "E-mail verification is mandatory when DEBUG is off; "
        "unset ACCOUNT_EMAIL_VERIFICATION."
    )
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Agora] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None

# Hour of the day (0-23, in TIME_ZONE) at which daily notification digests go out.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 7)
if not 0 <= NOTIFICATION_DIGEST_HOUR <= 23:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("NOTIFICATION_DIGEST_HOUR must be an hour, 0 to 23.")

# --- E-mail -------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Agora <noreply@agora.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if env_str("EMAIL_BACKEND"):
    EMAIL_BACKEND = env_str("EMAIL_BACKEND")
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    env_required("EMAIL_HOST", "the SMTP server that sends verification e-mail")

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hant", _("Traditional Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- REST API -----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora API",
    "DESCRIPTION": (
        "Public, read-only access to Agora's plans, forum sessions and opinion "
        "conversations, and the write endpoints used by the site itself "
        "(session authentication with a CSRF token)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "consultation.models.PlanStatus",
        "CommentStatusEnum": "consultation.models.CommentStatus",
        "SessionStatusEnum": "forum.models.SessionStatus",
        "QuestionStatusEnum": "forum.models.QuestionStatus",
    },
}

# --- Security -----------------------------------------------------------------

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Hosts whose players may be embedded in forum session pages (frame-src).
STREAM_EMBED_HOSTS = env_list(
    "STREAM_EMBED_HOSTS",
    [
        "www.youtube-nocookie.com",
        "www.youtube.com",
        "player.vimeo.com",
    ],
)
# HLS (.m3u8) streams and PeerTube instances the site may load media from.
STREAM_MEDIA_HOSTS = env_list("STREAM_MEDIA_HOSTS", [])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        # hls.js fetches playlists and segments of HLS streams (STREAM_MEDIA_HOSTS).
        "connect-src": [SELF, *(f"https://{h}" for h in STREAM_MEDIA_HOSTS)],
        "media-src": [SELF, "blob:", *(f"https://{h}" for h in STREAM_MEDIA_HOSTS)],
        "worker-src": [SELF, "blob:"],
        "frame-src": [
            *(f"https://{h}" for h in STREAM_EMBED_HOSTS + STREAM_MEDIA_HOSTS)
        ]
        or [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# --- Product settings ---------------------------------------------------------

AGORA_SITE_NAME = env_str("SITE_NAME", "Agora")
# Licence of everything users publish and of the open-data downloads.
AGORA_DATA_LICENCE = {
    "name": env_str("DATA_LICENCE_NAME", "CC-BY-4.0"),
    "title": env_str("DATA_LICENCE_TITLE", "Creative Commons Attribution 4.0"),
    "path": env_str("DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"),
}
# Where open-data exports are written and cached (see docs/opendata.md).
AGORA_OPENDATA_CACHE = Path(
    env_str("OPENDATA_CACHE", str(MEDIA_ROOT / "opendata-cache"))
)
AGORA_DEMO_PASSWORD = "agora-demo"  # noqa: S105 - only used when DEBUG is on

# --- Logging ------------------------------------------------------------------

# Every handler redacts secrets (common/logging.py; docs/security.md); error
# pages and the 500 e-mails to ADMINS hide the same fields and settings.
DEFAULT_EXCEPTION_REPORTER_FILTER = "common.logging.SafeReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "common.logging.SafeExceptionReporter"
ADMINS = [("Agora admin", a) for a in env_list("ADMIN_EMAILS")]
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "common.logging.RedactSecretsFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's default handlers (which would not redact); records
        # propagate to the root's console handler.
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL},
        "django.server": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # One line per process saying which websocket write path is in use.
        "common.wsframes": {"level": "INFO"},
    },
}
