"""Django settings for credstack, every one read from the environment with a working default.

| variable              | default                              |
|-----------------------|--------------------------------------|
| CREDSTACK_HOME        | ./var (database, secrets, keys, media)|
| CREDSTACK_ENV         | development (or ``production``)      |
| DATABASE_URL          | sqlite:///$CREDSTACK_HOME/credstack.sqlite3 |
| REDIS_URL             | unset: tasks run eagerly in-process  |
| CREDSTACK_BASE_URL    | http://127.0.0.1:8000                |
| SECRET_KEY            | generated once into CREDSTACK_HOME (required in production) |
| CREDSTACK_DEBUG       | 0                                    |
| CREDSTACK_ALLOWED_HOSTS | host of the base URL, plus loopback in development |
| CREDSTACK_EMAIL_BACKEND | console (or file, smtp: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,        |
|                         | EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; DEFAULT_FROM_EMAIL)                |
| (the README has the full table, with the signing, evidence and verifier settings)               |
"""

from __future__ import annotations

import os
import secrets
import urllib.parse
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT = os.environ.get("CREDSTACK_ENV", "development").strip().lower()
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"CREDSTACK_ENV must be development, production or test, not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

CREDSTACK_HOME = Path(os.environ.get("CREDSTACK_HOME", "./var")).expanduser().resolve()
CREDSTACK_HOME.mkdir(parents=True, exist_ok=True)

CREDSTACK_BASE_URL = os.environ.get("CREDSTACK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urllib.parse.urlsplit(CREDSTACK_BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ImproperlyConfigured(f"CREDSTACK_BASE_URL must be an http(s) origin, not {CREDSTACK_BASE_URL!r}.")


def _secret_key() -> str:
    from_env = os.environ.get("SECRET_KEY", "")
    if from_env:
        return from_env
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when CREDSTACK_ENV=production.")
    path = CREDSTACK_HOME / "secret_key"
    if not path.exists():
        # Written once with owner-only permissions; never logged.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# Key-encryption key of the organizations' signing keys (base64 of 32 random bytes): generated once
# into CREDSTACK_HOME/kek in development, required in production (credstack.signing.kek).
CREDSTACK_KEK = os.environ.get("CREDSTACK_KEK", "").strip()
CREDSTACK_KEK_PREVIOUS = [k.strip() for k in os.environ.get("CREDSTACK_KEK_PREVIOUS", "").split(",") if k.strip()]
if PRODUCTION and not CREDSTACK_KEK:
    raise ImproperlyConfigured(
        "CREDSTACK_KEK must be set when CREDSTACK_ENV=production (base64 of 32 random bytes, e.g. "
        "`python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())'`)."
    )
DEBUG = _env_bool("CREDSTACK_DEBUG", False) and not PRODUCTION

_hosts = os.environ.get("CREDSTACK_ALLOWED_HOSTS", "")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()] or [_base.hostname]
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [CREDSTACK_BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "credstack.core",
    "credstack.accounts",
    "credstack.organizations",
    "credstack.catalog",
    "credstack.assessment",
    "credstack.verifier",
    "credstack.signing",
    "credstack.awards",
    "credstack.pathways",
    "credstack.program",
    "credstack.discovery",
    "credstack.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "credstack.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions: drops cookies holding NUL; refuses requests whose text the database cannot store (400).
    "credstack.core.middleware.TextInputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "credstack.urls"
WSGI_APPLICATION = "credstack.wsgi.application"

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
                "credstack.core.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{CREDSTACK_HOME / 'credstack.sqlite3'}",
        conn_max_age=int(os.environ.get("CREDSTACK_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and an eager task write without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Connections are kept like PostgreSQL's (CREDSTACK_DB_CONN_MAX_AGE): opening one per request costs more than
    # a small verification (the connect, WAL pragma and Django's SQL functions each time).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The first refuses locked accounts and clients before any password is checked (credstack.accounts.throttle).
AUTHENTICATION_BACKENDS = [
    "credstack.accounts.throttle.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CREDSTACK_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = CREDSTACK_HOME / "media"
STORAGES = {
    "default": {"BACKEND": os.environ.get("CREDSTACK_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded images (issuer logos, badge images): checked by content, and capped.
CREDSTACK_MAX_IMAGE_BYTES = int(os.environ.get("CREDSTACK_MAX_IMAGE_BYTES", str(2 * 1024 * 1024)))
# Evidence files of submissions: checked by content, capped per file and per submission.
CREDSTACK_MAX_EVIDENCE_FILE_BYTES = int(os.environ.get("CREDSTACK_MAX_EVIDENCE_FILE_BYTES", str(25 * 1024 * 1024)))
# A video (a 10-15 minute classroom recording) may be larger than other files; the submission's cap counts it too.
CREDSTACK_MAX_VIDEO_FILE_BYTES = int(os.environ.get("CREDSTACK_MAX_VIDEO_FILE_BYTES", str(500 * 1024 * 1024)))
CREDSTACK_MAX_SUBMISSION_BYTES = int(os.environ.get("CREDSTACK_MAX_SUBMISSION_BYTES", str(1024 * 1024 * 1024)))
# Resumable uploads (credstack.assessment.uploads): the largest piece one request may carry (under the proxy's
# body limit), and how long an upload may sit untouched before the sweep throws its pieces away.
CREDSTACK_UPLOAD_CHUNK_BYTES = int(os.environ.get("CREDSTACK_UPLOAD_CHUNK_BYTES", str(4 * 1024 * 1024)))
CREDSTACK_UPLOAD_ABANDONED_HOURS = float(os.environ.get("CREDSTACK_UPLOAD_ABANDONED_HOURS", "24"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail: console by default, a folder of .eml files with CREDSTACK_EMAIL_BACKEND=file, SMTP with =smtp.
_mail = os.environ.get("CREDSTACK_EMAIL_BACKEND", "console").strip().lower()
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}.get(_mail, _mail)
EMAIL_FILE_PATH = os.environ.get("CREDSTACK_EMAIL_DIR", str(CREDSTACK_HOME / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"credstack <noreply@{_base.hostname}>")

# Background tasks: eager in-process without Redis, Celery workers with it.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# The queue tasks are sent to and workers consume by default: several installations (or a benchmark) can share
# one Redis database without taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CREDSTACK_TASK_QUEUE", "").strip() or "celery"
# An eager task runs after its transaction committed: its failure (SMTP down, say) is logged, not
# turned into an error page for a request whose work is already saved. Tests see failures.
CELERY_TASK_EAGER_PROPAGATES = ENVIRONMENT == "test"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down must not hold a request: connect within 2 s, publish with one quick retry, then the
# caller catches the error (the sweep sends what could not be queued; see docs/operations.md).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# Workers keep reconnecting to a broker that went away (Celery's own loop), as before.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every worker queues the sweep (credstack.awards.sweep) this often; 0 turns the timer off.
CREDSTACK_SWEEP_SECONDS = float(os.environ.get("CREDSTACK_SWEEP_SECONDS", "60"))
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("CREDSTACK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("CREDSTACK_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _env_bool("CREDSTACK_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is an operator's irreversible choice for the whole domain, not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if _base.scheme != "https":
        raise ImproperlyConfigured("CREDSTACK_BASE_URL must be https when CREDSTACK_ENV=production.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CREDSTACK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task is noise in the web process (eager mode); workers log tasks themselves.
        "celery.app.trace": {"level": "WARNING"},
    },
}

CATALOG_PAGE_SIZE = 12

# Verifier (credstack.verifier): the only hosts it fetches from besides this platform itself (status
# lists, DID documents, issuer profiles, evidence), how much it reads, and how often one client may ask.
CREDSTACK_VERIFIER_ALLOWED_HOSTS = frozenset(
    h.strip().lower() for h in os.environ.get("CREDSTACK_VERIFIER_ALLOWED_HOSTS", "").split(",") if h.strip()
)
CREDSTACK_VERIFIER_ALLOW_PRIVATE_ADDRESSES = _env_bool("CREDSTACK_VERIFIER_ALLOW_PRIVATE_ADDRESSES", False)
CREDSTACK_VERIFIER_MAX_BYTES = int(os.environ.get("CREDSTACK_VERIFIER_MAX_BYTES", str(2 * 1024 * 1024)))
CREDSTACK_VERIFIER_MAX_FETCH_BYTES = int(os.environ.get("CREDSTACK_VERIFIER_MAX_FETCH_BYTES", str(5 * 1024 * 1024)))
CREDSTACK_VERIFIER_RATE_LIMIT = os.environ.get("CREDSTACK_VERIFIER_RATE_LIMIT", "30/minute")
# The rate limit counts work: one unit per started RATE_UNIT_BYTES of a request; and what one verification
# may cost is bounded by the credential's shape (credstack.verifier.limits, credstack.vc.shape).
CREDSTACK_VERIFIER_RATE_UNIT_BYTES = int(os.environ.get("CREDSTACK_VERIFIER_RATE_UNIT_BYTES", str(64 * 1024)))
CREDSTACK_VERIFIER_MAX_VALUES = int(os.environ.get("CREDSTACK_VERIFIER_MAX_VALUES", "20000"))
CREDSTACK_VERIFIER_MAX_LIST_ITEMS = int(os.environ.get("CREDSTACK_VERIFIER_MAX_LIST_ITEMS", "1000"))
CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT = frozenset(
    a.strip() for a in os.environ.get("CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT", "").split(",") if a.strip()
)

# OAuth 2.0 client credentials (credstack.organizations.oauth): how long an access token from /oauth/token lives.
_oauth_seconds = os.environ.get("CREDSTACK_OAUTH_TOKEN_SECONDS", "3600").strip()
CREDSTACK_OAUTH_TOKEN_SECONDS = int(_oauth_seconds) if _oauth_seconds.isdigit() else 0
if not 60 <= CREDSTACK_OAUTH_TOKEN_SECONDS <= 86400:
    raise ImproperlyConfigured("CREDSTACK_OAUTH_TOKEN_SECONDS must be between 60 and 86400 (one day).")
