"""Beatbook settings: one module, every value from the environment (12-factor)."""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from beatbook.config.env import env_bool, env_float, env_int, env_list, env_secret, env_str

SRC_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(env_str("BEATBOOK_VAR_DIR", str(PROJECT_DIR / "var")))

PLACEHOLDER_SECRET_KEY = "insecure-development-key-change-me-" + "x" * 20
SECRET_KEY = env_secret("SECRET_KEY", PLACEHOLDER_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "beatbook.core",
    "beatbook.accounts",
    "beatbook.places",
    "beatbook.roster",
    "beatbook.calls",
    "beatbook.records",
    "beatbook.citations",
    "beatbook.property",
    "beatbook.animals",
    "beatbook.outreach",
    "beatbook.alerts",
    "beatbook.resources",
    "beatbook.casework",
    "beatbook.portal",
    "beatbook.open311",
    "beatbook.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "beatbook.core.middleware.RequestIdMiddleware",
    "beatbook.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "beatbook.accounts.middleware.SessionTimeoutMiddleware",
    "beatbook.accounts.middleware.MfaRequiredMiddleware",
    "beatbook.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "beatbook.core.middleware.CachedPolicyCSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "beatbook.core.middleware.NoStoreForStaffMiddleware",
    "beatbook.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "beatbook.config.urls"
WSGI_APPLICATION = "beatbook.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "beatbook.core.context_processors.beatbook",
                "beatbook.portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'beatbook.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that sends no query (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "beatbook.core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={env_int('DATABASE_STATEMENT_TIMEOUT_MS', 30000)}"
        " -c idle_in_transaction_session_timeout=60000"
        # PostgreSQL's default, stated: only the statements marked core.sql.plan_cached are
        # prepared (core/postgresql), and those get a generic plan when it is no dearer.
        " -c plan_cache_mode=auto"
        # JIT compiles a statement whose estimated cost passes 100,000: every dashboard pass
        # over a year or more of calls. The compiling took 100-220 ms of statements that run
        # for about a second (three years of a city, docs/performance.md); none of ours runs
        # long enough to win it back. DATABASE_JIT=true gives PostgreSQL's default back.
        f" -c jit={'on' if env_bool('DATABASE_JIT', False) else 'off'}"
    )
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = env_bool(
        "DATABASE_SERVER_SIDE_BINDING", True
    )
    # Any value but 0 lets the marked statements be prepared (core/postgresql); 0 turns
    # preparing off, for PgBouncer before 1.21 in transaction mode (docs/deploy.md).
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        env_int("DATABASE_PREPARE_THRESHOLD", 5) or None
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dispatch board read while a CSO's phone writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # SQLite creates its file but not the folder: a new checkout or a fresh
    # BEATBOOK_VAR_DIR would otherwise fail with "unable to open database file".
    if str(DATABASES["default"]["NAME"]) not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "beatbook.accounts.passwords.ContextWordValidator"},
]

# Sessions: 30-minute idle lock and 12-hour re-authentication, enforced server-side.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A shared cache lets web processes reuse each other's work (the dispatch board is rendered
# once per change, not once per dispatcher per process). Redis when set; memory otherwise.
CACHE_URL = env_str("BEATBOOK_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "beatbook",
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"BEATBOOK_CACHE_URL must be a redis://, rediss:// or unix:// URL, not {CACHE_URL!r}"
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_COOKIE_AGE = 1800
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
BEATBOOK_SESSION_IDLE_SECONDS = env_int("BEATBOOK_SESSION_IDLE_SECONDS", 1800)
BEATBOOK_SESSION_MAX_SECONDS = env_int("BEATBOOK_SESSION_MAX_SECONDS", 12 * 3600)

SECURE_COOKIES = env_bool("BEATBOOK_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "beatbook_session"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "beatbook_csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("BEATBOOK_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEATBOOK_BEHIND_TLS_PROXY", False) else None
)
SECURE_HSTS_SECONDS = env_int("BEATBOOK_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Lockout (R01): 5 consecutive failures lock the username until an admin releases it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "beatbook.accounts.views.lockout_response"
AXES_VERBOSE = False
BEATBOOK_LOGIN_IP_LIMIT = env_int("BEATBOOK_LOGIN_IP_LIMIT", 20)
BEATBOOK_LOGIN_IP_WINDOW_SECONDS = env_int("BEATBOOK_LOGIN_IP_WINDOW_SECONDS", 900)

OTP_TOTP_ISSUER = env_str("BEATBOOK_AGENCY_NAME", "Beatbook")
OTP_TOTP_THROTTLE_FACTOR = 1

# Content security policy (R25): scripts only from this origin or with the request's nonce.
CONTENT_SECURITY_POLICY = {
    # JSON answers render nothing a policy could protect; the API docs page keeps it.
    "EXCLUDE_URL_PREFIXES": ["/healthz", "/api/v1/", "/api/schema/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"] + env_list("BEATBOOK_MAP_TILE_ORIGINS", []),
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "beatbook.accounts.authentication.ApiTokenAuthentication",
        "beatbook.accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["beatbook.core.permissions.IsVerifiedStaff"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "beatbook.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "beatbook.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Beatbook API",
    "DESCRIPTION": "Calls for service, dispatch and units for Community Service Officer programs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["beatbook.core.permissions.IsVerifiedStaff"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "beatbook.calls.choices.CallStatus",
        "DispositionEnum": "beatbook.calls.choices.Disposition",
        "DivisionEnum": "beatbook.calls.choices.Division",
        "UnitStatusEnum": "beatbook.roster.choices.UnitStatus",
    },
}

TASKS = {
    "default": {
        "BACKEND": env_str("BEATBOOK_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend")
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "beatbook@example.org")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = env_str("BEATBOOK_TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Three 8 MB photos and the form around them.
BEATBOOK_MAX_REQUEST_BYTES = env_int("BEATBOOK_MAX_REQUEST_BYTES", 26 * 1024 * 1024)
# A city's calls export uploaded on the imports page (a million rows is about 150 MB); only
# that page accepts more, and it reads the body only for an analyst or administrator.
BEATBOOK_MAX_IMPORT_BYTES = env_int("BEATBOOK_MAX_IMPORT_BYTES", 512 * 1024 * 1024)
# Uploaded imports: each in its own folder (the file, its mapping, code tables, rejects).
BEATBOOK_IMPORTS_DIR = Path(env_str("BEATBOOK_IMPORTS_DIR", str(VAR_DIR / "imports")))
# An upload only checked keeps its file (a city's calls) this long for "Import it"; then
# `beatbook analytics expire` (daily) discards it.
BEATBOOK_CHECKED_UPLOAD_DAYS = env_int("BEATBOOK_CHECKED_UPLOAD_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Beatbook knobs
BEATBOOK_AGENCY_NAME = env_str("BEATBOOK_AGENCY_NAME", "Beatbook Demo Agency")
# Where the agency is, for directory addresses typed by staff (HSDS wants city and state).
BEATBOOK_AGENCY_CITY = env_str("BEATBOOK_AGENCY_CITY", "Seattle")
BEATBOOK_AGENCY_STATE = env_str("BEATBOOK_AGENCY_STATE", "WA")
BEATBOOK_MAP_TILE_URL = env_str("BEATBOOK_MAP_TILE_URL", "")
BEATBOOK_H3_RESOLUTION = env_int("BEATBOOK_H3_RESOLUTION", 9)
# Connections `beatbook import calls` writes batches on at once (PostgreSQL): 2 halved the
# time of a large import on a 2-core server; more helps only with more cores.
BEATBOOK_IMPORT_WRITERS = env_int("BEATBOOK_IMPORT_WRITERS", 2)
BEATBOOK_CALLS_DUPLICATE_METERS = env_float("BEATBOOK_CALLS_DUPLICATE_METERS", 150.0)
BEATBOOK_CALLS_DUPLICATE_MINUTES = env_int("BEATBOOK_CALLS_DUPLICATE_MINUTES", 60)
BEATBOOK_BOARD_POLL_SECONDS = env_int("BEATBOOK_BOARD_POLL_SECONDS", 3)
# Rows of flagged and of queued calls on the live board (the most urgent; totals always shown).
BEATBOOK_BOARD_LIST_LIMIT = env_int("BEATBOOK_BOARD_LIST_LIMIT", 50)
# The polled board is rendered at most this often (seconds); polls in between get the last
# render and catch up on their next poll. 0 renders on every change.
BEATBOOK_BOARD_REFRESH_SECONDS = env_float("BEATBOOK_BOARD_REFRESH_SECONDS", 1.0)
# How old a process's copy of the call types and beats may be (core/reference.py): an edit
# in another worker reaches this one within this many seconds.
BEATBOOK_REFERENCE_SECONDS = env_float("BEATBOOK_REFERENCE_SECONDS", 10.0)
BEATBOOK_API_TOKEN_DAYS = env_int("BEATBOOK_API_TOKEN_DAYS", 365)
BEATBOOK_PASSWORD_MAX_AGE_DAYS = env_int("BEATBOOK_PASSWORD_MAX_AGE_DAYS", 365)
BEATBOOK_CONTEXT_WORDS = env_list("BEATBOOK_CONTEXT_WORDS", ["beatbook", "police", "cso"])

SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
)

# The per-IP throttle in front of the username lockout is Beatbook's own (accounts.views);
# locking by IP as well would let one office NAT lock out every officer behind it.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The address residents use; tracking links in e-mails start with it.
BEATBOOK_PUBLIC_URL = env_str("BEATBOOK_PUBLIC_URL", "http://127.0.0.1:8000")

# Resident portal limits (R33): a policy choice, written down here and in docs/portal.md.
BEATBOOK_PORTAL_PER_IP_PER_MINUTE = env_int("BEATBOOK_PORTAL_PER_IP_PER_MINUTE", 5)
BEATBOOK_PORTAL_PER_IP_PER_DAY = env_int("BEATBOOK_PORTAL_PER_IP_PER_DAY", 50)
BEATBOOK_PORTAL_GLOBAL_PER_MINUTE = env_int("BEATBOOK_PORTAL_GLOBAL_PER_MINUTE", 120)
BEATBOOK_NON_EMERGENCY_PHONE = env_str("BEATBOOK_NON_EMERGENCY_PHONE", "(206) 555-0100")
# Open311: a single-jurisdiction endpoint ignores jurisdiction_id unless this is set.
BEATBOOK_OPEN311_JURISDICTION = env_str("BEATBOOK_OPEN311_JURISDICTION", "")
# Seconds an Open311 request list (public, the same for every client) is served from the
# cache: under load each list of hundreds of requests cost its worker 40–100 ms (B8). 0: off.
BEATBOOK_OPEN311_LIST_CACHE_SECONDS = env_int("BEATBOOK_OPEN311_LIST_CACHE_SECONDS", 2)
BEATBOOK_CITATION_DAYS_TO_PAY = env_int("BEATBOOK_CITATION_DAYS_TO_PAY", 21)
# Custody checkpoints are signed with a key that must not live in the database (R20).
BEATBOOK_CUSTODY_CHECKPOINT_KEY = env_secret("BEATBOOK_CUSTODY_CHECKPOINT_KEY", "")
BEATBOOK_CUSTODY_CHECKPOINT_DIR = env_str(
    "BEATBOOK_CUSTODY_CHECKPOINT_DIR", str(VAR_DIR / "custody-checkpoints")
)
# A block with this many calls in 30 days is flagged as a repeat location on the dashboards.
BEATBOOK_REPEAT_LOCATION_CALLS = env_int("BEATBOOK_REPEAT_LOCATION_CALLS", 5)
# Seconds a dashboard's figures for one selection stay cached; every change to what they read
# makes them stale at once (analytics/figures_cache.py), so this only bounds changes made
# outside Beatbook. 0: off.
BEATBOOK_FIGURES_CACHE_SECONDS = env_int("BEATBOOK_FIGURES_CACHE_SECONDS", 900)
# Open data (R41): days held back, rare place/type/week combinations whose place is withheld,
# and the call kinds that never get a place (matched against code, description and type).
BEATBOOK_OPEN_DATA_DELAY_DAYS = env_int("BEATBOOK_OPEN_DATA_DELAY_DAYS", 7)
BEATBOOK_OPEN_DATA_MIN_GROUP = env_int("BEATBOOK_OPEN_DATA_MIN_GROUP", 3)
BEATBOOK_OPEN_DATA_SENSITIVE = env_str(
    "BEATBOOK_OPEN_DATA_SENSITIVE",
    r"\bDV\b|DOMESTIC|SEX|RAPE|INDECENT|CHILD|JUVENILE|RUNAWAY|SUICID|ABUSE|MENTAL|5150|CRISIS|"
    r"OVERDOSE|WELFARE|MISSING|DEATH|ASSAULT|BATTERY|\bTRO\b|RESTRAINING|STALK|HARASS",
)
# Workload: a report draft counts as writing time for at most this long (drafts left open
# overnight are not eight hours of writing).
BEATBOOK_REPORT_WRITING_CAP_MINUTES = env_int("BEATBOOK_REPORT_WRITING_CAP_MINUTES", 90)
# Diversion: sworn-officer minutes a call takes when a call type sets none of its own.
BEATBOOK_SWORN_MINUTES_DEFAULT = env_int("BEATBOOK_SWORN_MINUTES_DEFAULT", 45)
# Diversion in money: a sworn officer's loaded cost per hour (pay, benefits, vehicle), which
# turns the sworn hours saved into the sum a budget hearing asks for. 0: not shown.
BEATBOOK_SWORN_HOURLY_COST = env_float("BEATBOOK_SWORN_HOURLY_COST", 0.0)
if not 0 <= BEATBOOK_SWORN_HOURLY_COST < 10_000:
    raise ImproperlyConfigured(
        f"BEATBOOK_SWORN_HOURLY_COST must be from 0 to 9999, got {BEATBOOK_SWORN_HOURLY_COST}"
    )
# And a CSO's loaded cost per hour: the CSOs' own time on the calls they handled is netted
# off the sworn cost avoided, and each side's cost per call shown (what an evaluation of an
# alternative response reports, FIELD-SURVEY.md §3 item 9). 0: not shown.
BEATBOOK_CSO_HOURLY_COST = env_float("BEATBOOK_CSO_HOURLY_COST", 0.0)
if not 0 <= BEATBOOK_CSO_HOURLY_COST < 10_000:
    raise ImproperlyConfigured(
        f"BEATBOOK_CSO_HOURLY_COST must be from 0 to 9999, got {BEATBOOK_CSO_HOURLY_COST}"
    )
BEATBOOK_CURRENCY_SYMBOL = env_str("BEATBOOK_CURRENCY_SYMBOL", "$")
# Rabies observation after a bite: 10 days unless local health rules say otherwise.
BEATBOOK_BITE_QUARANTINE_DAYS = env_int("BEATBOOK_BITE_QUARANTINE_DAYS", 10)
# A shared animal-control inbox that also gets quarantine reminders (optional).
BEATBOOK_ANIMAL_CONTROL_EMAIL = env_str("BEATBOOK_ANIMAL_CONTROL_EMAIL", "")
BEATBOOK_PROPERTY_HOLD_DAYS = {
    "found": env_int("BEATBOOK_HOLD_FOUND_DAYS", 90),
    "safekeeping": env_int("BEATBOOK_HOLD_SAFEKEEPING_DAYS", 60),
    "evidence": env_int("BEATBOOK_HOLD_EVIDENCE_DAYS", 3650),
}
# Resource directory: a service nobody has confirmed for this long is flagged to coordinators.
BEATBOOK_RESOURCE_VERIFY_DAYS = env_int("BEATBOOK_RESOURCE_VERIFY_DAYS", 180)
# A referral with no answer from the provider after this many days is due for follow-up.
BEATBOOK_REFERRAL_FOLLOW_UP_DAYS = env_int("BEATBOOK_REFERRAL_FOLLOW_UP_DAYS", 7)
# Mediation follow-ups after an agreement, in days.
BEATBOOK_MEDIATION_FOLLOW_UP_DAYS = (30, 90)
