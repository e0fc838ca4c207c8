"""Settings for the summit platform, all read from the environment.

With no environment at all the platform runs with no server: SQLite under
var/, an in-process channel layer, a local-memory cache and Celery on kombu's
filesystem transport. REDIS_URL and DATABASE_URL switch to the production
shape (see docker-compose.yml).
"""

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.crypto import salted_hmac
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from summit.brokers import broker_transport_options
from summit.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_origin,
    env_port_range,
    env_rate,
    env_str,
    env_url,
)
from summit.redis_connections import celery_broker, sentinel_set

BASE_DIR = Path(__file__).resolve().parent.parent
# The SQLite file, the generated secret key, the filesystem broker and file mail live here;
# summit.apps creates the folders at start-up (importing settings writes nothing).
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _secret_key():
    """The key from the environment; only a DEBUG run may fall back to one generated once under var/.

    In production every replica must sign with the same key, or each signs the others' sessions
    and sign-in links out: a missing key there is a configuration error, not something to paper over.
    """
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 every process must share one secret key: set SECRET_KEY "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=1 for a local trial."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    # Before the admin, so the admin's forms show each language's column of a translated field.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "summit",
    "events",
    "livechat",
    "scheduler",
    "partnering",
    "programme",
    "stage",
    "judging",
    "privacy",
    "calls",
    # Only for its `make_attendees` command (bench/attendees.py): the load benchmark's signed-in people.
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "summit.throttling.DeviceCookieMiddleware",
    "events.middleware.PersonPreferencesMiddleware",
    "summit.middleware.ServiceErrorMiddleware",
    "summit.middleware.RefuseNulMiddleware",
    "summit.middleware.ApiUnsafeRequestMiddleware",
    "summit.middleware.ApiNotFoundMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "summit.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "summit.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scheduler.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'summit.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    # Daphne runs each request's sync code in a thread of its own, so persistent
    # connections pile up one per thread until PostgreSQL refuses more; a pool per
    # process bounds them and keeps them warm (DB_CONN_MAX_AGE applies without it).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN", 1),
        "max_size": env_int("DB_POOL_MAX", 16),
        "timeout": env_int("DB_POOL_TIMEOUT", 10),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let Daphne, the worker and beat share one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Threads running the live rooms' database calls per process (livechat/db.py): several on
# PostgreSQL so a join storm's reads, which mostly wait on the network, run side by side
# (DB_POOL_MAX must leave room for them and two more); SQLite takes one writer at a time.
LIVE_DB_THREADS = env_int(
    "LIVE_DB_THREADS", 8 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 1
)

REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    # REDIS_URL names one server (redis://) or a Sentinel set (sentinel://h1:26379,h2:26379/master/0):
    # summit/redis_connections.py turns either into what each client wants.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": [REDIS_URL],  # a list: a string would be split at the commas between sentinels
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "summit"),
            # Throttle counters live here: a Redis that is down or stuck must fail fast (a 503), not hang.
            "OPTIONS": {
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                **({"pool_class": "summit.redis_connections.SentinelPool"} if sentinel_set(REDIS_URL) else {}),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The live rooms' pub/sub channels and keys (livechat/keys.py) start with this; two deployments
# or test runs sharing one Redis server use different prefixes. No channel layer is configured:
# the room sockets are written to by livechat's own hubs (docs/livechat.md).
REDIS_KEY_PREFIX = env_str("REDIS_KEY_PREFIX", "summit")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "signin"
# Passwords (organisers, the admin) and django-sesame's mailed sign-in links (events/signin.py).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "sesame.backends.ModelBackend"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["summit.formats"]
# What people write (titles, descriptions, bios...) is stored once per language by django-modeltranslation
# (columns such as title_en, title_fr, title_zh_hans; see events/translation.py). A text missing in the
# reader's language falls back to the summit's main language, then to these languages in order.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = tuple(env_list("CONTENT_FALLBACK_LANGUAGES", [code for code, _name in LANGUAGES]))
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (/favicon.ico), served by the platform like the rest.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# Uploaded logos and speaker photos, stored through the default storage (local files here). Not
# MEDIA_DIR, the live stage's: what Daphne serves from here must hold nothing but re-encoded images.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")))
MEDIA_URL = env_str("MEDIA_URL", "/uploads/")
# Daphne serves MEDIA_ROOT itself unless a proxy or an object store does (SERVE_MEDIA=0).
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 4096 * 4096)

# The contract's EMAIL_BACKEND and EMAIL_FILE_PATH, expressed as Django 6.1's MAILERS.
_email_backend = env_str(
    "EMAIL_BACKEND",
    "summit.mail.ReadableConsoleBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options = {}
if _email_backend.endswith("filebased.EmailBackend"):
    _email_options["file_path"] = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
elif _email_backend.endswith("smtp.EmailBackend"):
    _email_options.update(
        host=env_str("EMAIL_HOST", "localhost"),
        port=env_int("EMAIL_PORT", 25),
        username=env_str("EMAIL_HOST_USER"),
        password=env_str("EMAIL_HOST_PASSWORD"),
        use_tls=env_bool("EMAIL_USE_TLS", False),
    )
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Summit <summit@localhost>")
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")

# The live stage's media server: nginx with the RTMP module (docs/stage.md). RTMP in, HLS out on
# its own origin (MEDIA_ORIGIN, the one host the CSP lets pages play and fetch media from).
RTMP_PORT = env_int("RTMP_PORT", 1935)
MEDIA_HTTP_PORT = env_int("MEDIA_HTTP_PORT", env_int("PORT", 8000) + 1)
MEDIA_ORIGIN = env_origin("MEDIA_ORIGIN", f"http://127.0.0.1:{MEDIA_HTTP_PORT}")
MEDIA_DIR = Path(env_str("MEDIA_DIR", str(VAR_DIR / "media")))
# Where the media server reaches the platform for its callbacks (a private address in production).
MEDIA_PLATFORM_URL = env_url("MEDIA_PLATFORM_URL", SITE_URL)
# The callbacks' shared secret. The media server adds it as a header on its own hop (a Unix socket only
# its workers may open), so it never appears in a URL or an access log.
MEDIA_SECRET = (
    env_str("MEDIA_SECRET")
    or salted_hmac("stage.media-callbacks", "", secret=SECRET_KEY, algorithm="sha256").hexdigest()
)
if not re.fullmatch(r"[A-Za-z0-9_-]{16,}", MEDIA_SECRET):
    raise ImproperlyConfigured("MEDIA_SECRET must be at least 16 letters, digits, '-' or '_' (it goes into headers)")
# Where the media server listens for RTMP and HLS: loopback unless told otherwise (docker-compose: 0.0.0.0).
MEDIA_LISTEN_ADDRESS = env_choice("MEDIA_LISTEN_ADDRESS", "127.0.0.1", ["127.0.0.1", "0.0.0.0"])
# How long a signed address of a private room's stream or replay plays (docs/stage.md).
MEDIA_GRANT_SECONDS = env_int("MEDIA_GRANT_SECONDS", 4 * 3600, minimum=60)
# More addresses of the platform a restream target may not point at (host names, addresses, networks),
# besides loopback, private, link-local, multicast and the hosts of SITE_URL, MEDIA_ORIGIN and the like.
RESTREAM_REFUSED_HOSTS = env_list("RESTREAM_REFUSED_HOSTS")
# Addresses or networks a restream target may use although they are local (a relay box on your own
# network); empty by default. The relays into the stage still need their token.
RESTREAM_PERMITTED_NETWORKS = env_list("RESTREAM_PERMITTED_NETWORKS")
for _network in RESTREAM_PERMITTED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"RESTREAM_PERMITTED_NETWORKS: {_network!r} is no address or network") from None
# What presenters type into OBS as the server; the host presenters can reach.
RTMP_SERVER_URL = env_url(
    "RTMP_SERVER_URL", f"rtmp://{urlsplit(SITE_URL).hostname}:{RTMP_PORT}/live", schemes=("rtmp",)
)
# How far attendees are behind the presenter (docs/stage.md, "Latency"): "low" (1 s fragments, the
# player 1 s behind the live edge, about 2 s glass to glass) for a small audience on the origin;
# "cdn" (2 s fragments, three behind the edge, about 6 s) for a large one behind a CDN, fewer requests.
STAGE_LATENCY = env_choice("STAGE_LATENCY", "low", ("low", "cdn"))
_HLS_PROFILE = {"low": (1, 4), "cdn": (2, 10)}[STAGE_LATENCY]  # fragment, live playlist (seconds)
HLS_FRAGMENT_SECONDS = env_int("HLS_FRAGMENT_SECONDS", _HLS_PROFILE[0])
HLS_PLAYLIST_SECONDS = env_int("HLS_PLAYLIST_SECONDS", _HLS_PROFILE[1])

# Meeting calls' TURN server, coturn (docs/calls.md): browsers reach it on TURN_HOST:TURN_PORT (UDP and TCP)
# with short-lived TURN REST credentials signed with TURN_SECRET, which coturn holds as its static-auth-secret.
TURN_PORT = env_int("TURN_PORT", 3478, minimum=1)
# UDP ports of relayed media, opened beside TURN_PORT: every relayed connection holds one, so a two-person call
# relayed on both sides holds two (docs/scaling.md sizes it for an event).
TURN_RELAY_PORTS = env_port_range("TURN_RELAY_PORTS", "49160-49200")
TURN_HOST = env_str("TURN_HOST", urlsplit(SITE_URL).hostname or "127.0.0.1")
# A `turns:` URL for networks that only let HTTPS out (coturn's TLS listener on 443; docs/operations.md).
TURN_TLS_URL = env_str("TURN_TLS_URL")
if TURN_TLS_URL and not TURN_TLS_URL.startswith("turns:"):
    raise ImproperlyConfigured("TURN_TLS_URL must be a turns: URL, e.g. turns:turn.example.org:443?transport=tcp")
TURN_SECRET = (
    env_str("TURN_SECRET") or salted_hmac("calls.turn-rest", "", secret=SECRET_KEY, algorithm="sha256").hexdigest()
)
# How long call credentials stay valid: past it coturn refuses them; the page fetches fresh ones before then.
TURN_CREDENTIAL_SECONDS = env_int("TURN_CREDENTIAL_SECONDS", 4 * 3600, minimum=60)

# Request size: a JSON API and forms, nothing larger.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)

# Security headers and cookies.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# The media server calls back over the private network in plain HTTP (MEDIA_PLATFORM_URL).
SECURE_REDIRECT_EXEMPT = [r"^stage/media/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# How many reverse proxies stand in front of Daphne (the shipped nginx is one). Their forwarded headers
# are trusted, nobody else's: with 0 a client's X-Forwarded-For and X-Forwarded-Proto are ignored.
BEHIND_PROXY = env_int("BEHIND_PROXY", 0, minimum=0)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# django-ninja's throttles take the client address this many hops from the right of X-Forwarded-For.
NINJA_NUM_PROXIES = BEHIND_PROXY

# Hosts whose players may be framed on session and room pages.
STREAM_HOSTS = env_list(
    "STREAM_HOSTS",
    ["https://www.youtube-nocookie.com", "https://player.vimeo.com", "https://player.bilibili.com"],
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, MEDIA_ORIGIN],
    # hls.js feeds the video element through a MediaSource (a blob: URL); native HLS reads the origin.
    "media-src": [CSP.SELF, "blob:", MEDIA_ORIGIN],
    "frame-src": [CSP.SELF, *STREAM_HOSTS],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Throttles for endpoints anyone can call: "count/period" as django-ninja reads them.
THROTTLE_LOGIN = env_rate("THROTTLE_LOGIN", "10/m")
THROTTLE_REGISTRATION = env_rate("THROTTLE_REGISTRATION", "20/h")
THROTTLE_SIGNIN_LINK = env_rate("THROTTLE_SIGNIN_LINK", "5/h")
# The device cookie a successful sign-in leaves (summit/throttling.py): that browser's password attempts
# count against it alone, so strangers failing with a person's name do not lock that person out.
DEVICE_COOKIE_NAME = "summit_device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 365
SIGNIN_LINK_MAX_AGE = env_int("SIGNIN_LINK_MAX_AGE", 60 * 60 * 24)
# Sign-in link tokens: dated, and void once the person signs in by any means (last_login is signed).
SESAME_MAX_AGE = SIGNIN_LINK_MAX_AGE
SESAME_ONE_TIME = True

# Celery: Redis in production, a broker that needs no server otherwise.
# A Sentinel URL becomes kombu's form (one sentinel:// per sentinel) plus its master_name option.
CELERY_BROKER_URL, _sentinel_options = celery_broker(env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **broker_transport_options(
        CELERY_BROKER_URL, VAR_DIR, visibility_timeout=env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    ),
    **_sentinel_options,
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-reminders": {
        "task": "scheduler.dispatch_due_reminders",
        "schedule": float(env_int("REMINDER_DISPATCH_SECONDS", 60)),
    },
    "dispatch-summit-reports": {
        "task": "scheduler.dispatch_summit_reports",
        "schedule": float(env_int("REPORT_CHECK_SECONDS", 300)),
    },
}
# Reminders (docs/scheduler.md): a reminder found later than the grace after its due time is
# skipped rather than sent late; a send attempt owns a reminder for the lease; a queued reminder
# not claimed after the requeue time is enqueued again; after the attempts it is given up.
REMINDER_GRACE_MINUTES = env_int("REMINDER_GRACE_MINUTES", 10)
REMINDER_LEASE_SECONDS = env_int("REMINDER_LEASE_SECONDS", 300)
REMINDER_REQUEUE_SECONDS = env_int("REMINDER_REQUEUE_SECONDS", 300)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
# How long one report build owns its row.
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
