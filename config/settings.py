"""Settings for the emulation-movement tracker.

Everything that differs between a laptop and a server comes from the environment, so the same
file serves both; the defaults are for local development on SQLite.
"""

import datetime
import math
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # A development-only key: never used once DEBUG is off (see the check above).
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "import_export",
    "django_tasks",
    "movement.apps.BackgroundTasksConfig",
    "simple_history",
    "movement.apps.LoginProtectionConfig",
    "csp",
    "movement",
    # Tools beside the app: the `benchmark` and `seed_demo` commands (benchmarks/).
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app itself, before anything that reads the session or the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the query string or the database.
    "movement.middleware.RefuseNulInQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese whatever the browser asks; English only for whoever picks it (config/language.py).
    "config.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the two above: they sign out with a message, and send to the password change page.
    "movement.accounts.sessions.SessionLimitsMiddleware",
    "movement.accounts.passwords.TemporaryPasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Gives django-simple-history the user behind each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a web app needs it: one writer at a time is its rule, so a writer waits for the
    # lock (timeout, in seconds) instead of failing with "database is locked", and takes it when
    # its transaction begins (IMMEDIATE), since a reader that later wants to write cannot wait.
    # The write-ahead log lets pages read while the worker or an import writes (the mode is kept
    # in the file; an in-memory test database stays "memory"), and synchronous=NORMAL is its
    # safe setting there: a power cut may lose the last commits, never corrupt the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Reads on a PostgreSQL streaming replica (config/replica.py; README.md, "Deploying"): public
# pages, lists and exports read it; writes, the admin, and whoever wrote in the last few seconds
# read the primary. Without DATABASE_REPLICA_URL nothing is routed: one database, as before.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
# A replica further behind than this (or not answering) is passed over for the primary; the lag
# is measured at most this often in each process.
DATABASE_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("DATABASE_REPLICA_MAX_LAG_SECONDS", 10))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", 2))
# A writer reads the primary this long after their write (django-multidb-router's cookie): past
# it, the lag allowed and one measure's age have passed, so the replica holds the write.
MULTIDB_PINNING_SECONDS = math.ceil(
    DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS
)
MULTIDB_PINNING_COOKIE = "primary_pin"
MULTIDB_PINNING_COOKIE_HTTPONLY = True
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    # A replica that is down costs one request per check a short wait, not the worker.
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    # Tests read the primary's test database through it (tests/conftest.py points it at the
    # same database on the replica server, which streams it).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    # Outside the session middleware: it sees the session's write before deciding on the cookie.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "config.replica.PinningMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before the password is even checked. Then
# Django's ModelBackend, which also remembers wrong passwords to see them sprayed (see below).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "movement.accounts.lockout.PasswordSprayBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not the temporary password an administrator set; and a new password ends it.
    {"NAME": "movement.accounts.passwords.TemporaryPasswordValidator"},
]

# Staff sign in through the admin and land on its index, also after a `next` to another site.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# A signed-in session ends after this many minutes without a request, and in any case this many
# hours after signing in (a working day): a shared office computer left signed in does not stay
# so (movement/accounts/sessions.py). The session cookie lasts no longer than the day either.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 30))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", 10))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# A form posted after its page expired gets a page in Vietnamese, not Django's English one.
CSRF_FAILURE_VIEW = "movement.accounts.views.csrf_failure"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates read and print as dd/mm/yyyy in both languages (config/formats/*).
FORMAT_MODULE_PATH = ["config.formats"]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files WhiteNoise serves: part of the release, built with it.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))

# django-import-export: every import runs in one transaction, all rows or none.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Off on purpose: the stock escaping turns every xlsx cell into text (dates, numbers, empty
# cells as "None") and only strips "="; movement.spreadsheets.resources neutralises every
# formula prefix.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# Importing may overwrite records, so it takes the change permission; exporting takes view.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Spreadsheet uploads (movement/spreadsheets/files.py). A file past any of these limits is refused
# with a message saying which, before its rows are read: a zip bomb by its declared unpacked size
# and ratio before openpyxl opens it, a huge sheet by its declared size and then while streaming.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024))
# Real workbooks unpack to 5–30 times their size; zip bombs to thousands of times.
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", 100))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 50_000))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 100))
# Excel's own limit for one cell.
IMPORT_MAX_CELL_CHARS = 32_767
# A signed decision's file (movement.models.decisions): a scan of a few pages, not an archive.
DECISION_MAX_FILE_BYTES = int(os.environ.get("DECISION_MAX_FILE_BYTES", 20 * 1024 * 1024))
# Uploads up to the import limit stay in memory: nothing is written to the app server's disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_BYTES
# Between the preview and the confirmation the rows read wait in the database, in a table of
# their own (movement.models.PendingImport), which every app server shares. A preview stays until
# its uploader confirms or cancels it or until it is this many hours old: a working day and a
# night, so a list previewed in the afternoon can still be checked with the unit and confirmed
# the next morning. Waiting longer is safe (the confirmation checks every row again against the
# database as it is then); the rows are dropped as soon as the preview ends, and
# `manage.py purge_imports` deletes the ended previews' records.
IMPORT_PREVIEW_HOURS = int(os.environ.get("IMPORT_PREVIEW_HOURS", 24))
# In the database, which every app server and gunicorn worker shares: a cache in each process's
# memory would let each of them count the public downloads anew (see below). Its table is made
# by `manage.py createcachetable` (run by `make migrate`/`make run`, and by Django's test
# runner), after `migrate` on a server.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "movement_cache",
    }
}

# Exports (movement/spreadsheets/exports.py): a CSV is always streamed; an Excel file of more rows
# than this is written by a background task (django-tasks, database backend; run `manage.py
# db_worker`) to the default storage (STORAGES below), kept for EXPORT_KEEP_HOURS and downloaded
# from a page that shows its progress.
EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", 5_000))
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", 24))
# The public lists' downloads (movement.views.export), for visitors who are not staff: this many
# a minute from one address, counted by django-ratelimit in the cache above (a burst of
# simultaneous requests may slip a few past the count: the database cache's increment is not
# atomic; a memcached cache in CACHES makes it exact), and Excel files of at most this many rows,
# written while the visitor waits (~0.14 s per 1,000 rows); a CSV of any size streams.
EXPORT_PUBLIC_PER_MINUTE = int(os.environ.get("EXPORT_PUBLIC_PER_MINUTE", 10))
# A count the cache failed to keep (a write lost to a busy SQLite file) lets the download go:
# a visitor is not refused for the server's own trouble, and the Excel cap holds regardless.
RATELIMIT_FAIL_OPEN = True
EXPORT_PUBLIC_XLSX_ROWS = int(os.environ.get("EXPORT_PUBLIC_XLSX_ROWS", 5_000))
# A job no worker has taken this many seconds after it was queued: its page says how to start one.
EXPORT_WORKER_WAIT_SECONDS = 60
# A running job writes a heartbeat with its progress, every few seconds; one silent this long had
# its worker stopped (killed, restarted, the machine down) and is shown failed, with "Thử lại".
EXPORT_HEARTBEAT_TIMEOUT_SECONDS = int(os.environ.get("EXPORT_HEARTBEAT_TIMEOUT_SECONDS", 300))
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# django-simple-history: restoring an earlier version takes the permission to change the record
# (for a unit editor, a record of their units); only administrators hold the permissions on the
# history tables themselves.
SIMPLE_HISTORY_REVERT_DISABLED = False

# django-axes: five wrong passwords for one user name from one address lock that pair for fifteen
# minutes. The pair, not the address alone: an office reaches the server through one address, and
# one officer's typos must not lock out their colleagues. One password failing for five user names
# from one address (password spraying) locks the address itself (movement/accounts/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = "movement.accounts.lockout.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
# A page that says for how long, and whom to ask, instead of django-axes's English sentence.
AXES_LOCKOUT_CALLABLE = "movement.accounts.lockout.locked_out"

# Content security policy: scripts, styles, images and fonts only from this site, no inline
# script, no framing. The pages and the admin are checked against it in tests/test_deploy.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# -- Production ---------------------------------------------------------------------------------
# With DEBUG off everything below defaults to what `manage.py check --deploy` asks for; see
# README.md, "Deploying". Sessions stay in the database (the default) and export files in the shared
# storage, so several app servers can share one PostgreSQL behind a load balancer.

# Behind a reverse proxy that ends TLS and says so in X-Forwarded-Proto (never without one:
# a client could then claim HTTPS itself).
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_CLIENT_IP_CALLABLE = "config.proxy.client_ip"
    RATELIMIT_IP_META_KEY = "config.proxy.client_ip"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
MULTIDB_PINNING_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language cookie as the session's: HTTPS only, not sent by other sites' forms, and not read by
# any script (the language switch is a form).
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
X_FRAME_OPTIONS = "DENY"

# Locally, files under static/ are served as they change; on a server, from collectstatic's copy.
WHITENOISE_AUTOREFRESH = DEBUG

# Files the app writes itself (background exports, under exports/), never served as they are:
# each is downloaded through the admin, by its owner only. By default a directory, which every
# app server and the worker must share; with DJANGO_S3_BUCKET set, an S3-compatible bucket through
# django-storages (`pip install django-storages[s3]`; README.md, "Deploying").
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
if os.environ.get("DJANGO_S3_BUCKET"):
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        # Objects are private (the bucket's default; no ACL is sent). Keys come from the
        # environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the server's role, never
        # from this file.
        "OPTIONS": {
            "bucket_name": os.environ["DJANGO_S3_BUCKET"],
            "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DJANGO_S3_REGION") or None,
            "location": os.environ.get("DJANGO_S3_PREFIX", ""),
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": default_storage,
    # Hashed, compressed copies made by collectstatic, served by WhiteNoise with long caching.
    # Only with DEBUG off: the manifest exists only after collectstatic.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# The emulation council's vote on a proposed line (movement.cycle.council, issue #16): the share
# of ALL the council's members (not of those present) who must vote for it, by award type name,
# with the text the rule comes from. NĐ 91/2017/NĐ-CP Art. 45(8) asked at least 90 % of all members,
# by secret ballot, for Chiến sĩ thi đua toàn quốc, Chiến sĩ thi đua cấp bộ and the Anh hùng
# titles; NĐ 91/2017 was replaced by NĐ 98/2023/NĐ-CP and that by NĐ 152/2025/NĐ-CP, and the rule
# in force was not found in a text we could read: these are settings, to be checked against
# NĐ 152/2025 by the emulation office. Other types: more than half of the members (a majority,
# the ordinary rule of a collective body; no article found for it either).
SUPERSEDED_VOTE_RULE = (
    "NĐ 91/2017/NĐ-CP Điều 45 khoản 8 (đã hết hiệu lực; chưa đối chiếu NĐ 152/2025)"
)
COUNCIL_THRESHOLDS = {
    "Chiến sĩ thi đua toàn quốc": {
        "percent": 90,
        "above": False,
        "citation": SUPERSEDED_VOTE_RULE,
    },
    "Chiến sĩ thi đua toàn lực lượng Công an nhân dân": {
        "percent": 90,
        "above": False,
        "citation": SUPERSEDED_VOTE_RULE,
    },
    "Chiến sĩ thi đua Bộ, ban, ngành, tỉnh": {
        "percent": 90,
        "above": False,
        "citation": SUPERSEDED_VOTE_RULE,
    },
}
COUNCIL_DEFAULT_THRESHOLD = {
    "percent": 50,
    "above": True,
    "citation": "quá bán tổng số thành viên (chưa tìm thấy điều khoản; thiết lập được)",
}
# Orders (huân chương) and state honours: the list of those proposed is published at least this
# many working days before the council meets — NĐ 98/2023/NĐ-CP Art. 46(2), carried into
# NĐ 152/2025/NĐ-CP (in force from 1/7/2025). Public holidays are not known here: only weekends
# are left out of the count.
COUNCIL_PUBLICATION_WORKING_DAYS = 10
COUNCIL_PUBLICATION_CITATION = (
    "NĐ 98/2023/NĐ-CP Điều 46 khoản 2, nay là NĐ 152/2025/NĐ-CP (hiệu lực từ 01/7/2025)"
)

# A proposal's documents (movement.cycle.attachments): PDF, Word (.docx), Excel (.xlsx), JPEG or
# PNG, told by their bytes, each at most this size. A scanned dossier of some twenty pages fits.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
