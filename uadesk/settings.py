"""The one settings module of uadesk, read from the environment."""

import datetime
import ipaddress
import os
import re
import secrets
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from uadesk.numbers import parse_int

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if (number := parse_int(value)) is None:
        shown = value if len(value) <= 40 else f"{value[:40]}…"
        raise ImproperlyConfigured(f"{name} must be a whole number in digits 0-9, not {shown!r}")
    return number


def envsecret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker and systemd credentials)."""
    if os.environ.get(name):
        return os.environ[name]
    if path := os.environ.get(f"{name}_FILE"):
        try:
            return Path(path).read_text().strip()
        except (OSError, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or "not text"
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {reason}") from None
    return None


def strong_enough(key: str) -> bool:
    """At least 32 characters, not few of them repeated: a key people could guess seals nothing.
    A hex key (64 digits or more: 32 bytes) can only show 16 different digits, so it needs fewer."""
    hexadecimal = all(c in "0123456789abcdefABCDEF" for c in key)
    distinct = len(set(key.lower() if hexadecimal else key))
    return len(key) >= 32 and (distinct >= 16 or (hexadecimal and len(key) >= 64 and distinct >= 10))


def served_at(host: str, port: str) -> str:
    """The address a browser reaches the desk at when it listens on host:port (a wildcard listens on
    this machine too)."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host.strip(), host.strip())  # noqa: S104
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def is_real_sender(address: str) -> bool:
    """An address mail servers take as a sender: a domain with a dot, not this machine."""
    domain = parseaddr(address)[1].rpartition("@")[2].lower()
    return "." in domain and domain not in ("localhost.localdomain",) and not domain.endswith(".localhost")


# Production refuses to start on a missing secret; a development desk keeps a
# generated key in its data folder so sessions survive a restart.
PRODUCTION = envbool("UADESK_PRODUCTION", False)
DEBUG = envbool("DEBUG", False)
DATA_DIR = Path(os.environ.get("UADESK_DATA_DIR") or BASE_DIR / "data")


def _development_secret(filename: str, length: int) -> str:
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(length))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when UADESK_PRODUCTION is on")
    SECRET_KEY = _development_secret("secret-key", 50)


# This desk's Ed25519 key for what it sends other desks (uadesk/federation): 32 random bytes, base64url.
# Unset: derived from SECRET_KEY.
DESK_SIGNING_KEY = envsecret("DESK_SIGNING_KEY")

# Supporters' email addresses are encrypted, and looked up by a keyed hash, with keys drawn from
# this one secret. Keep it apart from the database and its backups: together they reveal the list.
SUPPORTER_KEY = envsecret("SUPPORTER_KEY")
if not SUPPORTER_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SUPPORTER_KEY (or SUPPORTER_KEY_FILE) must be set in production")
    SUPPORTER_KEY = _development_secret("supporter-key", 32)
elif PRODUCTION and not strong_enough(SUPPORTER_KEY):
    raise ImproperlyConfigured(
        "SUPPORTER_KEY is too weak: give at least 32 random characters, 16 of them different "
        "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when UADESK_PRODUCTION is on")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    # Django's admin, on our site that asks staff for a second factor (uadesk/staff/site.py).
    "uadesk.staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "uadesk",
    "uadesk.actions",
    "uadesk.ingest",
    "uadesk.supporters",
    "uadesk.petitions",
    "uadesk.delivery",
    "uadesk.appeals",
    "uadesk.events",
    "uadesk.network",
    "uadesk.reports",
    "uadesk.api",
    "uadesk.operations",
    "uadesk.federation",
    # Last: its roles take in the permissions of every app above.
    "uadesk.staff",
]

MIDDLEWARE = [
    # First: every line logged while answering, and the answer itself, carry the request's id.
    "uadesk.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so the static files it answers carry the policies too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "uadesk.security.PermissionsPolicyMiddleware",
    # Before anything reads a form: one in another charset than UTF-8 is refused here (400).
    "uadesk.security.FormCharsetMiddleware",
    # Before the rest: a kept public page is answered here, without sessions, locale or URLs.
    "uadesk.pagecache.PageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside CommonMiddleware, which then counts the page's Content-Length with the font link added.
    "uadesk.webfonts.WebFontMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view whose database connection was cut runs once more on a new one (uadesk/database.py).
    "uadesk.database.RetryOnLostConnectionMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins and refuses a locked account before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed sign-ins to one account from one address, that pair is locked for
# STAFF_LOCKOUT_MINUTES. Not the account from everywhere: anyone could then lock every staff
# member out with a few requests. Guessing from many addresses is what the second factor is for.
# (django-axes 8.3 can only lock, not slow sign-ins down.)
AXES_FAILURE_LIMIT = envint("STAFF_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("STAFF_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address as the rate limits find it, through TRUSTED_PROXY_COUNT proxies of our own:
# behind a proxy REMOTE_ADDR is the proxy's, the same for everyone.
AXES_CLIENT_IP_CALLABLE = "uadesk.ratelimit.client_address"
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
# The issuer shown in staff members' authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("OTP_ISSUER", "uadesk")

ROOT_URLCONF = "uadesk.urls"
WSGI_APPLICATION = "uadesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "uadesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # After Django's own csrf processor, which it replaces on a page kept for all visitors.
                "uadesk.pagecache.csrf_slot",
            ],
        },
    },
]

# SQLite in WAL mode is the embedded default; DATABASE_URL switches to PostgreSQL.
if os.environ.get("DATABASE_URL"):
    # Kept connections are not checked with a SELECT 1 before each request (a round trip on every
    # signature): one the server dropped meanwhile (a restart, a failover) fails its first statement,
    # is closed, and the view runs again on a new one (uadesk/database.py); the worker reconnects.
    try:
        DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    except ValueError as error:
        # One line and exit status 2 (uadesk/cli.py), not a traceback; the URL may hold a password.
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH") or DATA_DIR / "uadesk.sqlite3",
            # Kept open: the worker would otherwise reopen (and re-run the PRAGMAs) for every task.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE
                # takes the write lock at BEGIN, so two writers queue instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # The tests' worker process must see the same database, so it is a file.
            "TEST": {"NAME": str(DATA_DIR / "test-uadesk.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A task still running after this long is taken to be lost with its worker (killed, or its machine
# gone) and is queued again (uadesk/tasks.py); every task of the desk is safe to run twice, even at once.
TASK_LEASE_SECONDS = envint("TASK_LEASE_SECONDS", 900)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("de", _("German")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "uadesk" / "locale"]
# "23 September 2022" rather than the American default of Django's "en".
FORMAT_MODULE_PATH = ["uadesk.formats"]
USE_I18N = True
# The day an action closes is counted in this zone: an organisation sets its own.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
# Production serves what collectstatic gathered; development serves straight from the apps.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or DATA_DIR / "static") if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Served by the desk itself from the app folders, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# Our forms carry the token in a hidden field and no script of ours reads the cookie: hide it from scripts.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages say "same-origin" in a <meta> (base.html, admin/base_site.html) so form posts keep their Origin.
SECURE_REFERRER_POLICY = "no-referrer"
X_FRAME_OPTIONS = "DENY"
# Every response: only our own origin's scripts, styles, images and fonts, no inline script or style,
# no framing. object-src falls back to 'self' rather than 'none' so browsers still show our letter PDFs.
# A view that must differ (the petitions widget, framed by other sites) uses
# django.views.decorators.csp.csp_override with xframe_options_exempt (docs/security.md).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Features no page of the desk uses, denied to it and to anything it might frame (uadesk/security.py).
PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "bluetooth", "browsing-topics", "camera", "display-capture",
    "encrypted-media", "geolocation", "gyroscope", "hid", "identity-credentials-get", "idle-detection",
    "local-fonts", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]  # fmt: skip
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # A state on the network can strip TLS from a first visit; only the browsers' preload list stops
    # that. The header alone submits nothing: the domain's owner applies at hstspreload.org.
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # "__Host-" cookies are refused by browsers unless Secure, host-only and for "/": a sibling
    # subdomain cannot plant or shadow them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Any Django mail backend (an email service's own, the console for a laptop); SMTP by default.
EMAIL_BACKEND_PATH = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": {}}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "127.0.0.1"),
        "port": envint("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": envsecret("EMAIL_HOST_PASSWORD") or "",
        "use_tls": envbool("EMAIL_USE_TLS", False),
        "timeout": envint("EMAIL_TIMEOUT", 20),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip()
if PRODUCTION and not is_real_sender(DEFAULT_FROM_EMAIL):
    # Mail from localhost is refused or marked as spam: letters and confirmations would be lost.
    raise ImproperlyConfigured(
        "DEFAULT_FROM_EMAIL must be set when UADESK_PRODUCTION is on, to an address of the organisation's "
        f"own domain (e.g. 'Urgent Actions <ua@example.org>'), not {DEFAULT_FROM_EMAIL!r}"
    )
DEFAULT_FROM_EMAIL = DEFAULT_FROM_EMAIL or "uadesk <appeals@localhost>"

# The shared cache (a petition's count for a moment): Redis where REDIS_URL is set, else a table in
# the database. Rate limits keep their own counts (uadesk/ratelimit.py).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "uadesk.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "uadesk_cache"}
    }
# The public pages a surge lands on (an action, the list, the letter form's first view, a petition's
# count) are kept rendered in the cache above for at most this long, and dropped at once when staff
# change what they show (uadesk/pagecache.py); a count on them is that much older than
# PETITION_COUNT_SECONDS says. A few seconds already serve almost every view of a surge. 0: none kept.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 5)
# How many proxies of our own stand before the desk (each adds one X-Forwarded-For entry).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Monitoring (uadesk/operations): /metrics answers a scraper that sends "Authorization: Bearer
# METRICS_TOKEN", or one from these networks (comma-separated CIDRs; the client's address as found
# through TRUSTED_PROXY_COUNT); anyone else gets 403 and no figure.
METRICS_TOKEN = envsecret("METRICS_TOKEN") or ""
METRICS_ALLOWED_NETWORKS = []
for _net in os.environ.get("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128").split(","):
    try:
        if _net.strip():
            METRICS_ALLOWED_NETWORKS.append(str(ipaddress.ip_network(_net.strip(), strict=False)))
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS must be CIDRs separated by commas (10.0.0.0/8), not {_net.strip()!r}"
        ) from None
# `uadesk status` says unhealthy when a message has been due this long with no worker taking it (mailing
# copies aside: a big mailing takes hours), when no task started for this long (workers or the scheduler
# stopped) or a due task waited this long, or when more messages than this failed among those queued in
# the last day.
STATUS_MAX_DUE_SECONDS = envint("STATUS_MAX_DUE_SECONDS", 15 * 60)
STATUS_WORKER_SILENCE_SECONDS = envint("STATUS_WORKER_SILENCE_SECONDS", 5 * 60)
STATUS_MAX_TASK_LAG_SECONDS = envint("STATUS_MAX_TASK_LAG_SECONDS", 5 * 60)
STATUS_MAX_FAILED_MESSAGES = envint("STATUS_MAX_FAILED_MESSAGES", 10)
# An office desk's feed that failed to be pulled for this long makes the section's desk unhealthy.
STATUS_MAX_FEED_SILENCE_SECONDS = envint("STATUS_MAX_FEED_SILENCE_SECONDS", 60 * 60)
# Reminders go this many days before an action's deadline, to supporters who asked and have not acted.
REMINDER_DAYS_BEFORE = envint("REMINDER_DAYS_BEFORE", 3)
REMINDER_RATE_PER_ADDRESS = envint("REMINDER_RATE_PER_ADDRESS", 10)
REMINDER_RATE_PER_NETWORK = envint("REMINDER_RATE_PER_NETWORK", 100)
# Emails to supporters (news of an outcome, reminders) the mail server refused are tried again by the
# scheduled runs, waiting base x 4^n seconds, at most this many times; then kept, failed, with the reason.
SUPPORTER_EMAIL_MAX_ATTEMPTS = envint("SUPPORTER_EMAIL_MAX_ATTEMPTS", 5)
SUPPORTER_EMAIL_RETRY_BASE_SECONDS = envint("SUPPORTER_EMAIL_RETRY_BASE_SECONDS", 300)
# Appeals one supporter (known by their email) may write to one target in one action.
APPEALS_PER_SUPPORTER_PER_TARGET = envint("APPEALS_PER_SUPPORTER_PER_TARGET", 1)
# A supporter who gives their email confirms it from the email sent there; letters not confirmed
# within this many days are withdrawn and the address forgotten. Confirmation emails to one address
# per hour, whoever writes in its name: more forms get the same answer, and no email.
APPEAL_CONFIRM_DAYS = envint("APPEAL_CONFIRM_DAYS", 7)
APPEAL_CONFIRM_EMAILS_PER_EMAIL = envint("APPEAL_CONFIRM_EMAILS_PER_EMAIL", 10)
# Sends of appeals per hour from one address and from one network (/24 or /48).
APPEAL_RATE_PER_ADDRESS = envint("APPEAL_RATE_PER_ADDRESS", 30)
APPEAL_RATE_PER_NETWORK = envint("APPEAL_RATE_PER_NETWORK", 300)

# The outbox: a worker holds a message this long before another may take it over (its worker died).
DELIVERY_LEASE_SECONDS = envint("DELIVERY_LEASE_SECONDS", 300)
# Letters to officials: temporary failures are retried APPEAL_MAX_ATTEMPTS times, waiting base x 4^n seconds.
APPEAL_MAX_ATTEMPTS = envint("APPEAL_MAX_ATTEMPTS", 5)
APPEAL_RETRY_BASE_SECONDS = envint("APPEAL_RETRY_BASE_SECONDS", 60)
# Bounces: letters go out with the envelope sender bounces+<appeal>-<day>-<signature>@BOUNCE_DOMAIN, and the
# mail server pipes what comes back to `uadesk bounce` (empty: bounces go to DEFAULT_FROM_EMAIL).
BOUNCE_DOMAIN = os.environ.get("BOUNCE_DOMAIN", "")
# A bounce address holds this long after its letter went out (the address carries the day it was made);
# later, what comes to it is refused. A target's email is marked failing after this many permanent
# bounces (5.x.x) of different letters within this many days; one never switches it off for everyone.
BOUNCE_ADDRESS_HOURS = envint("BOUNCE_ADDRESS_HOURS", 48)
TARGET_BOUNCES_TO_FAIL = envint("TARGET_BOUNCES_TO_FAIL", 3)
TARGET_BOUNCE_WINDOW_DAYS = envint("TARGET_BOUNCE_WINDOW_DAYS", 7)
# Faxes to one target are at least this far apart: a fax line takes one letter at a time.
FAX_MIN_SPACING_SECONDS = envint("FAX_MIN_SPACING_SECONDS", 120)
# The fax gateway: <number>@FAX_GATEWAY_DOMAIN receives the letter as a PDF (empty: no fax channel).
FAX_GATEWAY_DOMAIN = os.environ.get("FAX_GATEWAY_DOMAIN", "")

# Limits for documents staff upload or ingest (issue: ingest).
INGEST_MAX_BYTES = envint("INGEST_MAX_BYTES", 20 * 1024 * 1024)
INGEST_MAX_PAGES = envint("INGEST_MAX_PAGES", 60)
# PDF, DOCX, HTML and email documents are read in a child process (uadesk/ingest/sandbox.py) held to
# these: CPU seconds and memory (the kernel's limits), bytes its reading may unpack (PDF page contents as
# often as pages draw them, DOCX XML parts; an email's attachments share them) and characters of text;
# past one, the document is refused.
INGEST_CPU_SECONDS = envint("INGEST_CPU_SECONDS", 5)
INGEST_MEMORY_MB = envint("INGEST_MEMORY_MB", 512)
INGEST_MAX_UNPACKED_BYTES = envint("INGEST_MAX_UNPACKED_BYTES", 8 * 1024 * 1024)
INGEST_MAX_CHARS = envint("INGEST_MAX_CHARS", 1_000_000)
# Replies from targets that supporters report (a document each, at most) per hour, per address and network.
REPLY_RATE_PER_ADDRESS = envint("REPLY_RATE_PER_ADDRESS", 10)
REPLY_RATE_PER_NETWORK = envint("REPLY_RATE_PER_NETWORK", 100)
FILE_UPLOAD_HANDLERS = [
    "uadesk.ingest.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# One line an event, with the request's id (also on the lines of the tasks it queued), and no personal
# data: lines about a request name its view and status, not its path, since a data page's path is its
# key (uadesk/logs.py). That filter sits on Django's request loggers, so any handler gets the clean
# record, and on our handler, which also hears the loggers Django names after each exception.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or "text"
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_paths": {"()": "uadesk.logs.RequestPathFilter"},
        "ids": {"()": "uadesk.logs.ContextFilter"},
        "task_routine": {"()": "uadesk.logs.TaskRoutineFilter"},
    },
    "formatters": {
        "text": {"()": "uadesk.logs.TextFormatter"},
        "json": {"()": "uadesk.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_paths", "ids"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").strip().upper()},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["no_paths"]},
        "django.security.csrf": {"filters": ["no_paths"]},
        # Each task's start and success (the worker sets this logger to INFO itself).
        "django.tasks": {"filters": ["task_routine"]},
        # The font subsetter (uadesk/webfonts.py) tells every table it prunes at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

# Petitions (issue 5)
# People of one household who share an address may each sign under their own name, up to this many.
PETITION_SIGNATURES_PER_EMAIL = envint("PETITION_SIGNATURES_PER_EMAIL", 4)
# The proof of work: the browser tries up to this many numbers (half of them on average) before it
# may sign; a signed challenge is good for this long, once.
PETITION_POW_MAX_NUMBER = envint("PETITION_POW_MAX_NUMBER", 100_000)
PETITION_CHALLENGE_SECONDS = envint("PETITION_CHALLENGE_SECONDS", 2 * 3600)
# Signatures per hour from one address and one network; the stricter pair applies to forms sent
# without the proof of work (JavaScript off). 0 turns a limit off.
PETITION_RATE_PER_ADDRESS = envint("PETITION_RATE_PER_ADDRESS", 30)
PETITION_RATE_PER_NETWORK = envint("PETITION_RATE_PER_NETWORK", 300)
PETITION_NOJS_RATE_PER_ADDRESS = envint("PETITION_NOJS_RATE_PER_ADDRESS", 5)
PETITION_NOJS_RATE_PER_NETWORK = envint("PETITION_NOJS_RATE_PER_NETWORK", 30)
# Unconfirmed signatures (and their links) are deleted after this many days.
PETITION_CONFIRM_DAYS = envint("PETITION_CONFIRM_DAYS", 7)
# The count shown is at most this old: it is counted once per period, not written per signature.
PETITION_COUNT_SECONDS = envint("PETITION_COUNT_SECONDS", 2)

# Supporters' data (issue 5)
# The desk's own address (https://desk.example.org), for links in emails and printed packs. A bare path
# in an email opens nothing, so production must name it; in development, emails link to the address
# `uadesk run` serves at (HOST and PORT, which its worker inherits), and pages to the request's host.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL and PRODUCTION:
    raise ImproperlyConfigured(
        "SITE_URL must be set when UADESK_PRODUCTION is on: the desk's address for the links in its "
        "emails, e.g. https://desk.example.org"
    )
if SITE_URL and not re.fullmatch(r"https://[^/\s]+" if PRODUCTION else r"https?://[^/\s]+", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL must be the desk's address, {'https' if PRODUCTION else 'http or https'}://host[:port] "
        f"with no path, not {SITE_URL!r}"
    )
LINK_BASE_URL = SITE_URL or served_at(os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000"))
# Every module that holds supporters' personal data, each with supporter_data(supporter) and
# forget_supporter(supporter): the data page, the download and erasure go through them all. Required and
# explicit: the system check uadesk.E001 stops the desk from starting when one is missing or lacks the two
# functions, or when an app with a model pointing to Supporter is not listed (uadesk/supporters/services.py).
SUPPORTER_DATA_HOLDERS = [
    "uadesk.actions.services",
    "uadesk.petitions.services",
    "uadesk.appeals.services",
    "uadesk.api.services",
    "uadesk.network.services",
]
# The network: how many members a case should reach before its deadline when its action does not say
# (a case drew 3,500 to 5,000 letters in the UK, 2002),
# the consent members agree to (its version is stored with each consent), and the soft bounces in a row
# after which an address is not mailed again.
NETWORK_WRITERS_WANTED = envint("NETWORK_WRITERS_WANTED", 4000)
NETWORK_CONSENT_VERSION = os.environ.get("NETWORK_CONSENT_VERSION", "2026-12")
NETWORK_SOFT_BOUNCES_TO_SUPPRESS = envint("NETWORK_SOFT_BOUNCES_TO_SUPPRESS", 3)
# Who collects supporters' data: named beside every form that takes it and on the privacy notice.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "This Urgent Action network")
# The return address on one line, printed above each member's address in the print run's envelope
# window (DIN 5008), e.g. "UA network · PO Box 12 · 10115 Berlin"; empty: none.
NETWORK_RETURN_ADDRESS = os.environ.get("NETWORK_RETURN_ADDRESS", "").strip()
# Supporters who have done nothing for this many months are erased (0: never); counts stay.
SUPPORTER_RETENTION_MONTHS = envint("SUPPORTER_RETENTION_MONTHS", 24)
# A link to a supporter's data page rides in every email we send them, so it lives long; erasure
# ends it sooner. Sending a new link does not end older ones: anyone can ask in anyone's name.
SUPPORTER_LINK_MAX_AGE_DAYS = envint("SUPPORTER_LINK_MAX_AGE_DAYS", 365)
# Requests for a new link per hour from one address and from one network (/24 or /48).
SUPPORTER_LINK_RATE_PER_ADDRESS = envint("SUPPORTER_LINK_RATE_PER_ADDRESS", 5)
SUPPORTER_LINK_RATE_PER_NETWORK = envint("SUPPORTER_LINK_RATE_PER_NETWORK", 50)
# Links emailed to one address per hour: a few for the requests of each network (so that someone
# asking elsewhere in the owner's name cannot use up the owner's), and at most so many in all,
# against flooding the inbox from many networks. More requests get the same answer and no email.
SUPPORTER_LINK_RATE_PER_EMAIL_AND_NETWORK = envint("SUPPORTER_LINK_RATE_PER_EMAIL_AND_NETWORK", 3)
SUPPORTER_LINK_RATE_PER_EMAIL = envint("SUPPORTER_LINK_RATE_PER_EMAIL", 10)
# Joining the network: forms per hour from one address and one network, and confirmation emails per
# hour to one inbox (more get the same answer and no email, so the page tells nothing of the address).
NETWORK_JOIN_RATE_PER_ADDRESS = envint("NETWORK_JOIN_RATE_PER_ADDRESS", 5)
NETWORK_JOIN_RATE_PER_NETWORK = envint("NETWORK_JOIN_RATE_PER_NETWORK", 50)
NETWORK_JOIN_EMAILS_PER_EMAIL = envint("NETWORK_JOIN_EMAILS_PER_EMAIL", 3)

# API (issue 8)
# Items per page at most (?per_page=), and the largest JSON or CSV body the API reads.
API_PAGE_SIZE_MAX = envint("API_PAGE_SIZE_MAX", 100)
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", 1024 * 1024)
# Webhooks: a failed POST is retried after base, 4 x base, 16 x base ... seconds, this many times in all.
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_RETRY_BASE_SECONDS = envint("WEBHOOK_RETRY_BASE_SECONDS", 30)
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 10)
# Webhooks go to public internet addresses only (uadesk/delivery/webhook.py); on for a receiver on the
# desk's own network, or in tests on loopback.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
