"""Settings for SaferSchools, read from environment variables only.

Every variable is listed in README.md. The defaults suit the embedded run (one laptop, SQLite,
the demo area). With ``SAFERSCHOOLS_ENV=production`` the process refuses to start while any
setting is insecure.
"""

import hashlib
import os
from datetime import date, time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


ENVIRONMENT = env_str("SAFERSCHOOLS_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"SAFERSCHOOLS_ENV must be 'development' or 'production', not {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

INSECURE_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SAFERSCHOOLS_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("SAFERSCHOOLS_DEBUG", False)
ALLOWED_HOSTS = env_list("SAFERSCHOOLS_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("SAFERSCHOOLS_CSRF_TRUSTED_ORIGINS")

# Where people reach the service: links in e-mails start with it.
BASE_URL = env_str("SAFERSCHOOLS_BASE_URL", "http://127.0.0.1:8000")
PASSWORD_RESET_TIMEOUT = env_int("SAFERSCHOOLS_INVITATION_DAYS", 7, minimum=1) * 24 * 3600

DATA_DIR = Path(env_str("SAFERSCHOOLS_DATA_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "saferschools.core",
    "saferschools.accounts",
    "saferschools.casework",
    "saferschools.reporting",
    "saferschools.incidents",
    "saferschools.activity",
    "saferschools.sharing",
    "saferschools.outcomes",
    "saferschools.planning",
    "saferschools.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "saferschools.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "saferschools.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "saferschools.urls"
WSGI_APPLICATION = "saferschools.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saferschools" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saferschools.core.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'saferschools.sqlite3'}",
        conn_max_age=env_int("SAFERSCHOOLS_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes; the busy
    # timeout makes a writer wait its turn rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts-sign-in"
LOGIN_REDIRECT_URL = "core-home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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

# Sign-in protection: lock an account after this many failures in a row, for this long.
LOCKOUT_FAILURES = env_int("SAFERSCHOOLS_LOCKOUT_FAILURES", 5, minimum=1)
LOCKOUT_MINUTES = env_int("SAFERSCHOOLS_LOCKOUT_MINUTES", 15, minimum=1)
# Two-factor sign-in for every role that can see personal data; always on in production.
REQUIRE_TWO_FACTOR = env_bool("SAFERSCHOOLS_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "SaferSchools"

# The demo area's users all get this password (`manage.py demo`); never used in production.
DEMO_PASSWORD = env_str("SAFERSCHOOLS_DEMO_PASSWORD", "safer-schools-demo")

# Sessions end after this many idle minutes and when the browser closes.
SESSION_COOKIE_AGE = env_int("SAFERSCHOOLS_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SAFERSCHOOLS_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "saferschools.core.errors.csrf_failure"
BEHIND_TLS_PROXY = env_bool("SAFERSCHOOLS_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "saferschools" / "static_build",
    BASE_DIR / "saferschools" / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION or env_bool("SAFERSCHOOLS_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# Made here so that the web server starts cleanly before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

EMAIL_BACKEND = env_str(
    "SAFERSCHOOLS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("SAFERSCHOOLS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SAFERSCHOOLS_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("SAFERSCHOOLS_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("SAFERSCHOOLS_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("SAFERSCHOOLS_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str(
    "SAFERSCHOOLS_FROM_EMAIL", "SaferSchools <no-reply@saferschools.invalid>"
)

# Uploads are held in memory up to this size rather than in a temporary file, so that a pupil's
# photo never reaches the disk before its metadata is stripped.
REPORT_PHOTO_MAX_MB = env_int("SAFERSCHOOLS_REPORT_PHOTO_MAX_MB", 10, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = (REPORT_PHOTO_MAX_MB + 1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Pupils' reports. The receipt key turns receipts into the hashes stored; by default it is
# derived from the secret key, so changing the secret key without setting this stops every
# receipt working.
RECEIPT_KEY = (
    env_str("SAFERSCHOOLS_RECEIPT_KEY")
    or hashlib.sha256(b"saferschools-receipt-key:" + SECRET_KEY.encode()).hexdigest()
)
RECEIPT_DAYS_AFTER_CLOSE = env_int("SAFERSCHOOLS_RECEIPT_DAYS_AFTER_CLOSE", 90, minimum=1)
RECEIPT_ATTEMPTS = env_int("SAFERSCHOOLS_RECEIPT_ATTEMPTS", 10, minimum=1)
RECEIPT_ATTEMPT_WINDOW_MINUTES = env_int("SAFERSCHOOLS_RECEIPT_WINDOW_MINUTES", 15, minimum=1)
# Requests that a school consider a partnership, sent from one network address in an hour.
SSP_REQUESTS_PER_HOUR = env_int("SAFERSCHOOLS_SSP_REQUESTS_PER_HOUR", 5, minimum=1)
REPORT_OUTCOME_SCHOOL_DAYS = env_int("SAFERSCHOOLS_REPORT_OUTCOME_SCHOOL_DAYS", 10, minimum=1)


def env_time(name: str, default: str) -> time:
    value = env_str(name, default)
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time such as 17:00, not {value!r}") from None


def env_dates(name: str) -> list[date]:
    try:
        return [date.fromisoformat(item) for item in env_list(name)]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must list dates such as 2027-05-10") from None


# Where "Exit this page" on pupils' pages goes: somewhere ordinary, away from this site.
EXIT_PAGE_URL = env_str("SAFERSCHOOLS_EXIT_PAGE_URL", "https://www.bbc.co.uk/weather")

# When the school day ends (Europe/London): a report not urgent is due by then on the next
# school day. School days are weekdays other than bank holidays in England and Wales and the
# extra days listed here (a new bank holiday proclaimed after this release).
SCHOOL_DAY_ENDS = env_time("SAFERSCHOOLS_SCHOOL_DAY_ENDS", "17:00")
# Notifications from the police to a school are due by the start of the next school day.
SCHOOL_DAY_STARTS = env_time("SAFERSCHOOLS_SCHOOL_DAY_STARTS", "08:30")
EXTRA_HOLIDAYS = env_dates("SAFERSCHOOLS_EXTRA_HOLIDAYS")

# The cache counts wrong receipts per (hashed) address; kept in each process's memory so that
# nothing about a pupil's connection is written anywhere.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "receipt-throttle",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

TASKS = {
    "default": {
        "BACKEND": env_str("SAFERSCHOOLS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "saferschools.api.authentication.ApiTokenAuthentication",
        "saferschools.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["saferschools.api.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "saferschools.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SaferSchools API",
    "DESCRIPTION": "The Safer School Partnership system's REST API. Authenticate with "
    "'Authorization: Token <token>' (tokens from `manage.py create_api_token`).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SAFERSCHOOLS_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the request line and, on errors, the request itself;
        # warnings are enough, so nothing about pupils' requests is written by default.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # WeasyPrint reports each PDF it renders; only its problems are worth a line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}


def insecure_production_settings() -> list[str]:
    """What makes this configuration unfit for production; empty when it is fit."""
    problems = []
    if DEBUG:
        problems.append("SAFERSCHOOLS_DEBUG is on")
    if (
        SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY
        or len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
    ):
        problems.append(
            "SAFERSCHOOLS_SECRET_KEY is the default, shorter than 50 characters or not random"
        )
    if not BASE_URL.startswith("https://"):
        problems.append("SAFERSCHOOLS_BASE_URL does not start with https://")
    if not ALLOWED_HOSTS or any("*" in host for host in ALLOWED_HOSTS):
        problems.append("SAFERSCHOOLS_ALLOWED_HOSTS is empty or has a wildcard")
    if not REQUIRE_TWO_FACTOR:
        problems.append("SAFERSCHOOLS_REQUIRE_2FA is off")
    if EMAIL_BACKEND.rsplit(".", 2)[-2] in {"console", "locmem", "filebased", "dummy"}:
        # Invitations carry links that set passwords: they must go to people, not to a log.
        problems.append("SAFERSCHOOLS_EMAIL_BACKEND does not send e-mail")
    return problems


if PRODUCTION and (problems := insecure_production_settings()):
    raise ImproperlyConfigured(
        "Refusing to start in production with insecure settings: " + "; ".join(problems)
    )
