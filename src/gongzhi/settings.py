"""Django settings, read from the environment.

GONGZHI_DEBUG=1          debug mode (off unless asked)
GONGZHI_SECRET_KEY       secret key; without it one is generated once into var/secret_key
GONGZHI_SECRET_KEY_FALLBACKS  retired secret keys, comma-separated (after a rotation)
DATABASE_URL             e.g. postgres://user@host/db; default SQLite at var/gongzhi.sqlite3
GONGZHI_ALLOWED_HOSTS    comma-separated; default 127.0.0.1,localhost
GONGZHI_VAR_DIR          where the SQLite file, uploads and the generated key live
GONGZHI_TRUSTED_PROXIES  reverse proxies whose X-Forwarded-For is believed (see core/clientip)
GONGZHI_HTTPS=1          served behind TLS: HSTS, secure cookies, X-Forwarded-Proto believed
"""

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    key = os.environ.get("GONGZHI_SECRET_KEY")
    if key:
        return key
    # An embedded install must not ship a known key: make one per machine and keep it.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEBUG = _env_bool("GONGZHI_DEBUG")
SECRET_KEY = _secret_key()
# Keys retired by a rotation, comma-separated: sessions and signed links made with them stay
# valid until they expire, and the audit log's chain, keyed from the key of its day, verifies.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("GONGZHI_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GONGZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    # The admin, on a site that lets the three administrators in (三员分立, accounts.duties).
    "gongzhi.accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "gongzhi.core",
    "gongzhi.regions",
    "gongzhi.accounts",
    "gongzhi.taxonomy",
    "gongzhi.notify",
    "gongzhi.triage",
    "gongzhi.cases",
    "gongzhi.mediation",
    "gongzhi.people",
    "gongzhi.sensing",
    "gongzhi.surveys",
    "gongzhi.legal",
    "gongzhi.deliberation",
    "gongzhi.community",
    "gongzhi.open311",
    "gongzhi.command",
    "gongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the form: a body over the view's limit is refused unread.
    "gongzhi.core.media.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Two-factor sign-in (accounts.otp) and the idle timeout (accounts.sessions).
    "django_otp.middleware.OTPMiddleware",
    "gongzhi.accounts.sessions.IdleTimeoutMiddleware",
    "gongzhi.accounts.otp.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
    # Statements slower than GONGZHI_SLOW_QUERY_MS logged with their path (issue 25).
    "gongzhi.core.slow_queries.SlowQueryMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"
ASGI_APPLICATION = "gongzhi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.core.context_processors.viewer",
                "gongzhi.core.context_processors.base_map",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}",
        conn_max_age=int(os.environ.get("GONGZHI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A runaway statement is cancelled before the web worker is (gunicorn's worker timeout,
# 30 s by default in `gongzhi serve`): PostgreSQL only, and in the web server's processes only
# (asgi.py and wsgi.py set GONGZHI_WEB_PROCESS): a migration, a rollup rebuild or a backup
# may rightly run for minutes. Slower statements than GONGZHI_SLOW_QUERY_MS are logged with
# the request's path (core.slow_queries; 0: off).
GONGZHI_STATEMENT_TIMEOUT_MS = int(os.environ.get("GONGZHI_STATEMENT_TIMEOUT_MS", "20000"))
GONGZHI_SLOW_QUERY_MS = float(os.environ.get("GONGZHI_SLOW_QUERY_MS", "500"))
if (
    DATABASES["default"]["ENGINE"].endswith("postgresql")
    and GONGZHI_STATEMENT_TIMEOUT_MS > 0
    and _env_bool("GONGZHI_WEB_PROCESS")
):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={GONGZHI_STATEMENT_TIMEOUT_MS}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        }
    )
    # Keep the file open between requests: opening costs the PRAGMAs, and closing the last
    # connection checkpoints the WAL, on every request otherwise. A local file needs no
    # health check.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # Writers wait their turn on a file lock rather than SQLite's sleeping busy handler.
    DATABASES["default"]["ENGINE"] = "gongzhi.core.sqlite"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Builds a user's scope (what they may see) from their memberships: core asks for it by
# this name, so core imports no app (gongzhi.core.scope).
GONGZHI_SCOPE_BUILDER = "gongzhi.accounts.scoping.build_scope"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The admin's permissions of the three administrators, from their roles (三员分立).
    "gongzhi.accounts.duties.DutiesBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongzhi.accounts.passwords.CharacterClassValidator"},
    {"NAME": "gongzhi.accounts.passwords.PatternValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): per user name and per address.
AXES_FAILURE_LIMIT = int(os.environ.get("GONGZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GONGZHI_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "gongzhi.core.clientip.client_address"  # the proxy-aware address

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("GONGZHI_STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGZHI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# Two-factor sign-in (accounts.otp). GONGZHI_2FA=off turns it off (the demo's `make run`, whose
# logins are marked exempt anyway); the roles that must use it, comma-separated.
GONGZHI_TWO_FACTOR = os.environ.get("GONGZHI_2FA", "on").strip().lower() not in {"0", "off", "no"}
GONGZHI_TWO_FACTOR_ROLES = [
    r.strip()
    for r in os.environ.get(
        "GONGZHI_2FA_ROLES", "administrator,security_admin,audit_admin,dispatcher,leader"
    ).split(",")
    if r.strip()
]
# Code attempts are limited by core.ratelimit (GONGZHI_RATE_LIMIT_OTP), not by django-otp's
# doubling wait, which would refuse the right code a second after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Nobody reads a device's secret or the recovery codes in the admin (not even the security
# administrator, who may only remove them: accounts.duties).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_ISSUER = os.environ.get("GONGZHI_2FA_ISSUER", "共治 Gongzhi")
# Staff are signed out after this many minutes without a request (sliding); 0: never.
GONGZHI_IDLE_TIMEOUT_MINUTES = int(os.environ.get("GONGZHI_IDLE_TIMEOUT_MINUTES", "30"))
SESSION_COOKIE_AGE = 8 * 3600
# Served behind TLS (GONGZHI_HTTPS=1: nginx with TLS in front, as the README's deployment
# has it, setting X-Forwarded-Proto): browsers are told to use HTTPS only for a year, on the
# subdomains too, and the cookies never travel in the clear. Without it (a laptop, the demo
# on plain HTTP) none of this is sent: an HSTS header over HTTP would lock a name to HTTPS.
HTTPS = _env_bool("GONGZHI_HTTPS")
SESSION_COOKIE_SECURE = HTTPS or _env_bool("GONGZHI_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if HTTPS:
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The proxy must set (overwrite) X-Forwarded-Proto: nginx's `proxy_set_header
    # X-Forwarded-Proto $scheme;`. The proxy redirects plain HTTP itself; GONGZHI_SSL_REDIRECT=1
    # has Django do it too (not by default: a proxy that does not set the header would loop).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("GONGZHI_SSL_REDIRECT")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def _tile_sources(templates: list[str]) -> list[str]:
    """The origins of the base map's tile URL templates, for img-src: `{s}` in a host
    name (t{s}.example.cn) becomes a wildcard label (*.example.cn)."""
    from urllib.parse import urlsplit

    sources = []
    for template in templates:
        parts = urlsplit(template)
        if not parts.scheme or not parts.netloc:
            continue  # a relative URL is our own origin
        labels = parts.netloc.split(".")
        if "{" in labels[0]:
            labels[0] = "*"
        source = f"{parts.scheme}://{'.'.join(labels)}"
        if "{" not in source and source not in sources:
            sources.append(source)
    return sources


# Content-Security-Policy on every response (django-csp): scripts only from our own static
# files — no inline script or handler (a test keeps the templates so), no eval — styles
# may be inline (they are not script), images also from data:/blob: (photo previews,
# ECharts' downloads) and the base map's tile servers. It is enforced, and the browser tests
# run under it (they wait through locators, never Playwright's wait_for_function, whose string
# predicates need eval in the page). GONGZHI_CSP_REPORT_ONLY=1 sends it as
# Content-Security-Policy-Report-Only instead (browsers report, block nothing): for trying a
# new tile server or script before it is allowed.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
if _env_bool("GONGZHI_CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# Every process's log lines look alike and are dated in TIME_ZONE: Django sets the process's
# TZ to it, and `gongzhi serve` sets it for gunicorn too, whose lines serve.LogLines writes
# in this same form.
LOG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": LOG_DATE_FORMAT,
        }
    },
    "filters": {"refusals_in_one_line": {"()": "gongzhi.core.errors.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGZHI_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["refusals_in_one_line"]},
    },
}

# Notifications (gongzhi.notify): an SMS gateway over HTTP, e-mail, webhooks.
# The keys that seal personal data at rest (core.crypto), made there on first use.
GONGZHI_FIELD_KEY_FILE = os.environ.get("GONGZHI_FIELD_KEY_FILE") or str(
    VAR_DIR / "field_keys.json"
)
GONGZHI_SMS_GATEWAY_URL = os.environ.get("GONGZHI_SMS_GATEWAY_URL", "")  # empty: SMS off
GONGZHI_SMS_GATEWAY_TOKEN = os.environ.get("GONGZHI_SMS_GATEWAY_TOKEN", "")
GONGZHI_SMS_SIGN = os.environ.get("GONGZHI_SMS_SIGN", "共治")
GONGZHI_SITE_URL = os.environ.get("GONGZHI_SITE_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("GONGZHI_FROM_EMAIL", "noreply@localhost")
EMAIL_BACKEND = os.environ.get(
    "GONGZHI_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("GONGZHI_EMAIL_HOST", "localhost")

# Gongzhi's own knobs.
GONGZHI = {
    # How far outside every grid a point may fall and still be given the nearest grid (metres).
    "GRID_SNAP_TOLERANCE_M": float(os.environ.get("GONGZHI_GRID_SNAP_TOLERANCE_M", "200")),
    "DEMO_CITY_CODE": "630200",
    # An extension moves the resolve deadline by at most this many days, and only if asked
    # for before it passes (lateness is not undone after the fact).
    "MAX_EXTENSION_DAYS": int(os.environ.get("GONGZHI_MAX_EXTENSION_DAYS", "30")),
    # 回访: closed cases not yet rated wait in the operators' callback list this many days
    # after closing; older ones are no longer called.
    "CALLBACK_WINDOW_DAYS": int(os.environ.get("GONGZHI_CALLBACK_WINDOW_DAYS", "30")),
    # Case numbers read PREFIX-YYYYMMDD-NNNNNN (HD for 海东).
    "CASE_PREFIX": os.environ.get("GONGZHI_CASE_PREFIX", "HD"),
    # Triage: where training data comes from (dotted paths to callables returning Records),
    # and how often each process checks for a newly activated model (seconds).
    "TRIAGE_SOURCES": ["gongzhi.cases.triage.hooks.closed_case_records"],
    "TRIAGE_CHECK_SECONDS": float(os.environ.get("GONGZHI_TRIAGE_CHECK_SECONDS", "5")),
    # A base map under our own boundaries: tile URL templates of a WGS84 tile service the
    # browsers can reach (an intranet tile server, or 天地图 with its key), base layer first
    # and labels after, separated by spaces. Empty: no tiles, the platform draws only its
    # own regions and grids (government intranets are often offline).
    "MAP_TILES": os.environ.get("GONGZHI_MAP_TILES", "").split(),
    "MAP_SUBDOMAINS": os.environ.get("GONGZHI_MAP_SUBDOMAINS", ""),
    "MAP_ATTRIBUTION": os.environ.get("GONGZHI_MAP_ATTRIBUTION", ""),
    "MAP_MAX_ZOOM": int(os.environ.get("GONGZHI_MAP_MAX_ZOOM", "18")),
    # Open311 GeoReport v2 (/open311/v2/): whether requests may be posted without an
    # api_key (limited per client address), and the contact its discovery document names.
    "OPEN311_ANONYMOUS_POSTS": os.environ.get("GONGZHI_OPEN311_ANONYMOUS_POSTS", "") == "1",
    "OPEN311_CONTACT": os.environ.get("GONGZHI_OPEN311_CONTACT", ""),
    # Reverse proxies whose X-Forwarded-For is believed (gongzhi.core.clientip): addresses or
    # networks, comma-separated, e.g. "127.0.0.1,10.0.0.0/8". Empty: none, use REMOTE_ADDR.
    "TRUSTED_PROXIES": os.environ.get("GONGZHI_TRUSTED_PROXIES", ""),
    # Care visits (gongzhi.people.visits): how far from the house a visit is flagged, and
    # how many days late a visit is taken to the township.
    "PEOPLE_VISIT_FAR_M": int(os.environ.get("GONGZHI_PEOPLE_VISIT_FAR_M", "300")),
    "PEOPLE_VISIT_ESCALATE_DAYS": int(os.environ.get("GONGZHI_PEOPLE_VISIT_ESCALATE_DAYS", "7")),
    # Rate limits (gongzhi.core.ratelimit): "N/s|m|h|d", empty for none; each can be set
    # from the environment as GONGZHI_RATE_LIMIT_<NAME>, e.g. GONGZHI_RATE_LIMIT_API_REPORT.
    "RATE_LIMITS": {
        name: os.environ.get(f"GONGZHI_RATE_LIMIT_{name.upper()}", default)
        for name, default in {
            "api_report": "60/m",  # reports through the API, per token or signed-in user
            "anonymous_report": "10/m",  # reports without a user, per client address
            "checkin_tap": "10/h",  # taps on one daily check-in link (平安打卡)
            "reveal": "20/10m",  # unmasked views of personal data, per person (then alerted)
            "otp": "10/15m",  # two-factor codes tried, per user (right or wrong)
        }.items()
    },
}

# The base map's tile servers may serve images to the pages (the policy is above).
_CSP["DIRECTIVES"]["img-src"] += _tile_sources(GONGZHI["MAP_TILES"])
