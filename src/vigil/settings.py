"""Django settings for Vigil.

Configuration comes from the environment (see README, "Configuration"). With nothing set, Vigil runs
in demo mode on an SQLite database under ./var, which is what `make run` does.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("VIGIL_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Demo mode: synthetic data only, demo users, second factor optional. Never for real data.
DEMO_MODE = _env_bool("VIGIL_DEMO_MODE", True)
DEBUG = _env_bool("VIGIL_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("VIGIL_SECRET_KEY")
    if key:
        return key
    if not DEMO_MODE:
        raise RuntimeError("VIGIL_SECRET_KEY must be set outside demo mode")
    # Demo mode keeps a generated key under var/ so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("VIGIL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "vigil.admin_apps.VigilAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "vigil.accounts",
    "vigil.audit",
    "vigil.people",
    "vigil.incidents",
    "vigil.risk",
    "vigil.cases",
    "vigil.linkage",
    "vigil.marac",
    "vigil.insight",
    "vigil.evaluation",
    "vigil.imports",
    "vigil.events",
    "vigil.checks",
    "vigil.demo",
    "vigil.api",
]

MIDDLEWARE = [
    "vigil.audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vigil.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its response
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigil.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vigil.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's cursors bind client-side and are never prepared. The control-room history statement
    # (vigil.checks.history_sql) asks to be prepared: a threshold never reached lets it, and no other
    # statement, be prepared; a generic plan spares re-planning it on every look-up.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "prepare_threshold": 1_000_000_000,
        "options": "-c plan_cache_mode=force_generic_plan",
    })

# Background work (deadlines, escalations, reminders) in the database, so it survives restarts:
# `vigil worker` runs it (vigil.cases.worker); `vigil worker_status` says whether a worker is alive.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_SWEEP_SECONDS = int(os.environ.get("VIGIL_WORKER_SWEEP_SECONDS", "60"))
# Events out (vigil.events) may be sent to loopback, private or reserved addresses only when this is on.
VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS = _env_bool("VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS", False)

# Evidence files (photographs): never served as static files, only through risk:evidence-file, which
# checks permission, verifies the SHA-256 digest and logs custody. Limit request bodies at the proxy
# to about 30 MB (photographs may be up to 25 MB).
MEDIA_ROOT = Path(os.environ.get("VIGIL_MEDIA_DIR", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username before any other backend
    "rules.permissions.ObjectPermissionBackend",
    "vigil.accounts.backends.AdministratorBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout (django-axes 8): five failed sign-ins for a username lock it for 30 minutes, whatever the
# password. Log lines name no username or address: the client string is replaced by an opaque one.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# Not by address: officers in one station share an address, and one mistyped password must not lock
# out the station. Username-only lockout is what axes.W006 warns about; rotating addresses cannot evade it.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_STR_CALLABLE = "vigil.accounts.lockout.client_description"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Second factor (django-otp): TOTP apps, and one-time recovery codes.
OTP_TOTP_ISSUER = "Vigil"

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # vendored GOV.UK Frontend and Vigil's own scripts and styles
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders until collectstatic fills it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions and cookies
SESSION_COOKIE_AGE = 30 * 60  # idle sessions expire after 30 minutes
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = _env_bool("VIGIL_SECURE_COOKIES", not DEMO_MODE)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp 4): only this site's own files; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # System accounts (a command-and-control system) send "Authorization: Token <key>".
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigil API",
    "DESCRIPTION": "The versioned REST API of Vigil. Every endpoint states who may use it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Choice sets that share a field name ("status", "kind", "outcome") get names that say what they are.
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "vigil.risk.models.RiskLevel",
        "AssessmentStatusEnum": ["in_progress", "submitted"],  # the risk API lists the codes
        "IncidentStatusEnum": "vigil.incidents.models.Incident.Status",
        "CaseStatusEnum": "vigil.cases.models.SafeguardingCase.Status",
        "HandoverStatusEnum": "vigil.cases.models.Handover.Status",
        "TaskStatusEnum": "vigil.cases.models.Task.Status",
        "TaskKindEnum": "vigil.cases.models.Task.Kind",
        "OrderKindEnum": "vigil.cases.models.ProtectiveOrder.Kind",
        "OrderStatusEnum": "vigil.cases.models.ProtectiveOrder.Status",
        "ContactOutcomeEnum": "vigil.cases.models.Contact.Outcome",
        "ContactMethodEnum": "vigil.cases.models.Contact.Method",
        "CourtOutcomeEnum": "vigil.cases.models.CustodyRecord.CourtOutcome",
        "CustodyDisposalEnum": "vigil.cases.models.CustodyRecord.Disposal",
    },
}

# Application logs carry no personal data: request paths use opaque identifiers and the
# log format names no user input.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "filters": {
        "redact": {"()": "vigil.logging.RedactPersonalData"},
        "request_id": {"()": "vigil.audit.middleware.RequestIdLogFilter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact", "request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("VIGIL_LOG_LEVEL", "INFO")},
}

VIGIL_SERVICE_NAME = "Vigil"
VIGIL_FORCE_NAME = os.environ.get("VIGIL_FORCE_NAME", "Leicestershire (synthetic)")
