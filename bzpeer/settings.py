"""BZPEER settings, read from the environment with safe defaults.

Every variable is listed in README.md ("Configuration"). Reference:
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Management commands that read models and files but never sign anything.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "collectstatic"}

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-set"  # noqa: S105
    elif sys.argv[1:2] and sys.argv[1] in KEYLESS_COMMANDS:
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    # The admin, its login through the site's throttled one (profiles.admin_site).
    "profiles.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Widget templates for FORM_RENDERER (bzpeer.forms), which looks in the project's templates.
    "django.forms",
    "django_htmx",
    "template_partials",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "profiles",
    "works",
    "graph",
    "social",
]

MIDDLEWARE = [
    "bzpeer.middleware.SecurityMiddleware",
    # Outside everything that writes the body. Django's gzip pads each response at random
    # against BREACH, and skips responses WhiteNoise already compressed.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside SessionMiddleware, so a session saved on the way out counts as a write.
    "bzpeer.middleware.ReadReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside CSPMiddleware, so the policy it builds includes what this adds.
    "profiles.orcid.middleware.OrcidFormActionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "bzpeer.middleware.SiteNotFoundMiddleware",
]

FORM_RENDERER = "bzpeer.forms.FormRenderer"

ROOT_URLCONF = os.environ.get("ROOT_URLCONF", "bzpeer.urls")
WSGI_APPLICATION = "bzpeer.wsgi.application"
AUTH_USER_MODEL = "profiles.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

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
                "social.context_processors.invitations",
            ],
            # {% partialdef %} everywhere without {% load %}, as in Django 6.
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# --- Data stores ------------------------------------------------------------------------------


def database(url: str) -> dict:
    config = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction, so
    # .iterator() must not DECLARE one. Prepared statements would not survive either: Django
    # gives psycopg 3 prepare_threshold=None and client-side binding, which stay as they are.
    config["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False)
    return config


# Without DATABASE_URL the quick start uses an embedded SQLite file; tests and production use
# Postgres.
DATABASES = {
    "default": database(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# A streaming replica of it: safe requests read there, everything else from the primary
# (bzpeer.db_router). A client that wrote reads from the primary for READ_YOUR_WRITES_SECONDS.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"])
    # Seconds before an unreachable replica is given up for the primary (libpq waits forever).
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASE_ROUTERS = ["bzpeer.db_router.ReplicaRouter"]
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "bzpeer"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (https://docs.celeryq.dev/en/stable/userguide/configuration.html) ---------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# With no broker configured, tasks run in-process so the quick start needs no services.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Two queues (docs/scaling.md, "Celery queues"): the default one for what someone waits for
# (e-mails, a trust refresh after a claim or follow, the beat's quick sweeps), and `imports` for
# long bulk work that nobody waits for, with its own workers, so an e-mail never queues behind
# an import. Exact names win over patterns; patterns match in this order.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    # Quick and only enqueue imports: behind an import backlog they would pile up, one per beat.
    "works.tasks.import_runs_sweep": {"queue": CELERY_TASK_DEFAULT_QUEUE},
    "works.tasks.researchers_refresh_stale": {"queue": CELERY_TASK_DEFAULT_QUEUE},
    # Every other works task imports (a run's slice, a snapshot partition).
    "works.tasks.*": {"queue": "imports"},
    "works.imports.*": {"queue": "imports"},
    # Nightly batches of up to an hour: on the default queue they would hold its slots.
    "profiles.tasks.trust_batch_task": {"queue": "imports"},
    "profiles.tasks.sitemaps_rebuild_task": {"queue": "imports"},
}

# --- External sources -------------------------------------------------------------------------

OPENALEX_BASE_URL = os.environ.get("OPENALEX_BASE_URL", "https://api.openalex.org").rstrip("/")
OPENALEX_MAILTO = os.environ.get("OPENALEX_MAILTO", "")
OPENALEX_API_KEY = os.environ.get("OPENALEX_API_KEY", "")
ARXIV_BASE_URL = os.environ.get("ARXIV_BASE_URL", "https://export.arxiv.org/api/query")
# arXiv asks for at least 3 seconds between requests on one connection.
ARXIV_MIN_INTERVAL = float(os.environ.get("ARXIV_MIN_INTERVAL", "3"))
# OpenAlex documents 100 as the largest page in 2026 (it once allowed 200).
OPENALEX_PER_PAGE = int(os.environ.get("OPENALEX_PER_PAGE", "100"))

# Imports (works.services). A run that fails this many times stops and says why.
IMPORT_MAX_ATTEMPTS = int(os.environ.get("IMPORT_MAX_ATTEMPTS", "5"))
IMPORT_LEASE_SECONDS = int(os.environ.get("IMPORT_LEASE_SECONDS", "300"))
# A task works on a run this long, then hands the rest to a fresh task.
IMPORT_SLICE_SECONDS = int(os.environ.get("IMPORT_SLICE_SECONDS", "240"))
IMPORT_REFRESH_AFTER_DAYS = int(os.environ.get("IMPORT_REFRESH_AFTER_DAYS", "30"))
# Trust recomputes for one researcher within this window collapse into one task.
TRUST_DEBOUNCE_SECONDS = int(os.environ.get("TRUST_DEBOUNCE_SECONDS", "10"))
# A follow counts towards trust once its account is this old and has a verified address.
TRUST_FOLLOWER_MIN_AGE_DAYS = int(os.environ.get("TRUST_FOLLOWER_MIN_AGE_DAYS", "7"))
# Problem reports (profiles.services.problem_reports): per client address an hour, per record a day.
PROBLEM_REPORTS_PER_ADDRESS = int(os.environ.get("PROBLEM_REPORTS_PER_ADDRESS", "5"))
PROBLEM_REPORTS_PER_RECORD = int(os.environ.get("PROBLEM_REPORTS_PER_RECORD", "20"))
# Sitemaps (profiles.sitemaps): URLs per file, and how long a built file is served from the cache;
# beat rebuilds them all every SITEMAP_REBUILD_SECONDS. sitemaps.org allows 50,000 URLs a file;
# 10,000 keeps a cold file (after a noindex drops it) a fifth of that to build and send, and the
# index's 50,000 files still hold 5·10^8 URLs, OpenAlex's authors and works together.
SITEMAP_URLS_PER_FILE = int(os.environ.get("SITEMAP_URLS_PER_FILE", "10000"))
SITEMAP_REBUILD_SECONDS = float(os.environ.get("SITEMAP_REBUILD_SECONDS", str(24 * 60 * 60)))
# How often beat looks for runs nobody is working on (expired leases, due pauses).
IMPORT_SWEEP_SECONDS = float(os.environ.get("IMPORT_SWEEP_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    # The two batches wait on the imports queue: if a long import holds it past their next
    # run, the stale copy expires instead of running twice back to back.
    "rebuild-sitemaps": {
        "task": "profiles.tasks.sitemaps_rebuild_task",
        "schedule": SITEMAP_REBUILD_SECONDS,
        "options": {"expires": SITEMAP_REBUILD_SECONDS},
    },
    "sweep-import-runs": {
        "task": "works.tasks.import_runs_sweep",
        "schedule": IMPORT_SWEEP_SECONDS,
    },
    "refresh-stale-researchers": {
        "task": "works.tasks.researchers_refresh_stale",
        "schedule": 6 * 60 * 60.0,
    },
    "send-weekly-digests": {
        "task": "social.tasks.digests_send_due_task",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
    # Every score from its stored facts, so a change to the formula reaches every record.
    "recompute-trust-nightly": {
        "task": "profiles.tasks.trust_batch_task",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 23 * 60 * 60},
    },
}

# Invitations one sender may send in any 24 hours (social.services.invitation_send).
INVITATIONS_PER_DAY = int(os.environ.get("INVITATIONS_PER_DAY", "20"))

# Claim codes (profiles.services.claims): e-mails sent in any 24 hours to one address, for one
# account and for one record, and wrong codes one record takes in any 24 hours across all claims.
CLAIM_CODES_PER_ADDRESS_PER_DAY = int(os.environ.get("CLAIM_CODES_PER_ADDRESS_PER_DAY", "5"))
CLAIM_CODES_PER_ACCOUNT_PER_DAY = int(os.environ.get("CLAIM_CODES_PER_ACCOUNT_PER_DAY", "10"))
CLAIM_CODES_PER_RECORD_PER_DAY = int(os.environ.get("CLAIM_CODES_PER_RECORD_PER_DAY", "10"))
CLAIM_CODE_GUESSES_PER_RECORD_PER_DAY = int(
    os.environ.get("CLAIM_CODE_GUESSES_PER_RECORD_PER_DAY", "10")
)
# Institutional e-mail domains beyond the homepage host OpenAlex gives, by institution (its
# OpenAlex or ROR id): "I27837315=umich.edu med.umich.edu;05x2bcf33=cmu.edu". Shared hosts
# (works.mail_domains) never count, even here.
CLAIM_EMAIL_DOMAINS_EXTRA = {
    key.strip(): value.lower().split()
    for key, _, value in (
        item.partition("=") for item in os.environ.get("CLAIM_EMAIL_DOMAINS_EXTRA", "").split(";")
    )
    if key.strip() and value.strip()
}

# Works with more authors than this create no pairwise Collaboration rows (DESIGN.md, scale plan).
GRAPH_MAX_AUTHORS_FOR_EDGES = int(os.environ.get("GRAPH_MAX_AUTHORS_FOR_EDGES", "50"))

# --- Accounts (https://docs.allauth.org/en/latest/account/configuration.html) ----------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
# No username to choose: allauth derives one from the e-mail address.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Logging out changes state, so it takes a POST (the header's "Log out" button).
ACCOUNT_LOGOUT_ON_GET = False
# Sign-up says the same ("we sent you an e-mail") whether or not the address is registered, in
# the same time: profiles.accounts.SignupForm hashes the password on both paths.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "profiles.accounts.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[BZPEER] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Rate limits live in the cache (Redis in production, so they hold across processes).
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("ACCOUNT_LOGIN_FAILED_RATE", "10/m/ip,5/5m/key"),
}

# "Sign in with ORCID". The app lives here, not in the database. ORCID_BASE_DOMAIN is
# "sandbox.orcid.org" for the sandbox; a value with a scheme ("http://127.0.0.1:8765") sends
# every ORCID request to that one origin, which is how tests talk to a local stub.
ORCID_CLIENT_ID = os.environ.get("ORCID_CLIENT_ID", "")
ORCID_SECRET = os.environ.get("ORCID_SECRET", "")
ORCID_BASE_DOMAIN = os.environ.get("ORCID_BASE_DOMAIN", "orcid.org").strip().rstrip("/")
ORCID_MEMBER_API = env_bool("ORCID_MEMBER_API", False)
SOCIALACCOUNT_PROVIDERS = {
    "orcid": {
        "provider_class": "profiles.orcid.provider.OrcidProvider",
        "BASE_DOMAIN": ORCID_BASE_DOMAIN,
        "MEMBER_API": ORCID_MEMBER_API,
        "APPS": (
            [{"client_id": ORCID_CLIENT_ID, "secret": ORCID_SECRET, "key": ""}]
            if ORCID_CLIENT_ID
            else []
        ),
    }
}
SOCIALACCOUNT_STORE_TOKENS = True

# --- Mail -------------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may block: a stuck mail server fails the send (the task retries)
# instead of holding a worker for good.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# For django.core.mail.backends.filebased.EmailBackend (a worker's mail, in tests).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
# Links in e-mails sent by Celery tasks, which have no request to build them from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "BZPEER <noreply@localhost>")

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security (https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/) ------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Django's security.W001 looks for its own class path; bzpeer.middleware.SecurityMiddleware
# subclasses it (loopback stays plain HTTP) and bzpeer.W001 checks for it instead.
SILENCED_SYSTEM_CHECKS = ["security.W001"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request bodies. Gunicorn bounds the request line and headers (gunicorn.conf.py) but has no
# body limit; Django refuses a form body over this size with a 400, and the reverse proxy's
# client_max_body_size stops it before (docs/operations.md). The largest form here is an
# invitation or claim evidence, a few kilobytes; the site takes no file uploads.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(256 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
