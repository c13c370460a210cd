"""Configuration in three layers: code defaults, then the deployment, then a test mapping.

The deployment speaks through `instance/config.py` (optional) and environment variables:
every default below can be set as ``LMS_<NAME>``; ``DATABASE_URL`` and ``SECRET_KEY`` are
read without the prefix too. Values are parsed by the type of their default, and a malformed
one stops the start with a message that names it.
"""

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "LMS_"
ENVIRONMENTS = ("development", "production")
OPTIONAL_PLUGINS = ("courses", "support", "surveys", "dashboards", "certificates")

DEFAULTS: dict[str, object] = {
    #: "development" generates a secret key in instance/; "production" demands one.
    "ENV": "production",
    "SECRET_KEY": "",
    #: Encrypts the secrets kept in the database (authenticator keys); SECRET_KEY serves when it is empty.
    "ENCRYPTION_KEY": "",
    "DATABASE_URL": "",
    #: Packages to enable: built-in ones under lms/ or names from the "lms.plugins" entry
    #: points; "*" enables every plugin that an installed package offers.
    "PLUGINS": ["accounts", "courses", "support", "surveys", "certificates", "dashboards", "*"],
    #: The folder of course files that `lms content import` reads.
    "CONTENT_DIR": "",
    "DEFAULT_LANGUAGE": "en",
    "DEFAULT_TIMEZONE": "Europe/Brussels",
    #: Anyone may create an account (joining a local authority of their choice).
    "SELF_REGISTRATION": False,
    #: Public address used in e-mailed links, e.g. https://learn.example.eu (no trailing slash).
    "BASE_URL": "",
    #: Host names this platform answers to; a request for any other is refused with 400.
    "TRUSTED_HOSTS": ["localhost", "127.0.0.1"],
    "MAIL_SERVER": "",
    "MAIL_PORT": 587,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    #: "starttls", "ssl" or "none".
    "MAIL_SECURITY": "starttls",
    "MAIL_SENDER": "Clarinet LMS <no-reply@localhost>",
    #: How many reverse proxies (TLS terminator, load balancer) stand in front and forward the visitor's address.
    "PROXIES": 0,
    #: memory:// for one host; redis://host:6379/0 when several hosts serve.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    #: Per address: sign-ins, codes, password resets and registrations asked for.
    "SIGN_IN_RATE_LIMIT": "10 per minute;50 per hour",
    #: Per account, from any address: failed sign-ins and wrong second-factor codes.
    "SIGN_IN_ACCOUNT_RATE_LIMIT": "10 per 15 minutes;100 per day",
    #: A sign-in ends after this long without activity, and after a fixed time in any case (sooner for admins).
    "SESSION_IDLE_MINUTES": 60,
    "SESSION_MAX_HOURS": 12,
    "ADMIN_SESSION_MAX_HOURS": 4,
    "PASSWORD_RESET_HOURS": 2,
    "INVITATION_DAYS": 14,
    "PAGE_SIZE": 25,
    #: Printed on certificates: the issuing programme, who signs, and an optional logo (PNG or JPEG path).
    "CERTIFICATE_ISSUER": "Clarinet training programme for local authorities",
    "CERTIFICATE_SIGNATORY": "Programme coordinator",
    "CERTIFICATE_SIGNATORY_ROLE": "Clarinet training programme",
    "CERTIFICATE_LOGO": "",
    "VERIFY_RATE_LIMIT": "30 per minute",
    #: Anonymous results and breakdowns with fewer answers than this stay hidden (k, at least 2).
    "SURVEY_MIN_GROUP": 5,
    #: Per address: answers through a survey's open link, and wrong access codes tried.
    "SURVEY_RATE_LIMIT": "20 per hour",
    #: Where uploaded files are kept (outside the web root); uploads/ in the instance folder by default.
    "STORAGE_DIR": "",
    #: An S3-compatible object store that every host shares, for the stored files (attachments, pending imports,
    #: PDFs, exports): the bucket (empty: the local folder above), the store's address (empty: AWS itself),
    #: region and keys (empty: boto3's own, from AWS_* variables or an instance role), and a prefix of every
    #: object's name (e.g. "lms/"), so that several platforms may share one bucket.
    "S3_BUCKET": "",
    "S3_ENDPOINT_URL": "",
    "S3_REGION": "",
    "S3_ACCESS_KEY_ID": "",
    "S3_SECRET_ACCESS_KEY": "",
    "S3_PREFIX": "",
    #: Ask the store to encrypt each object: "AES256" or "aws:kms"; empty sends nothing (AWS encrypts all
    #: objects anyway; MinIO refuses the request when it has no key service).
    "S3_SERVER_SIDE_ENCRYPTION": "",
    #: Expert support: response-time targets in hours, attachment size, and automatic assignment in turn.
    "SUPPORT_FIRST_RESPONSE_HOURS": 24,
    "SUPPORT_RESOLUTION_HOURS": 72,
    #: This many hours before a target falls due, the question's expert (or its topic's experts) and the admins
    #: are warned by e-mail, once per target; a target already missed is reported as missed.
    "SUPPORT_WARN_BEFORE_HOURS": 4,
    "SUPPORT_MAX_ATTACHMENT_MB": 10,
    "SUPPORT_AUTO_ASSIGN": False,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    #: The job queue: empty for a queue in SQLite in the instance folder (one host), or redis://host:6379/1
    #: when workers on several hosts share it. The jobs themselves are kept in the database.
    "QUEUE_URL": "",
    #: The pause before a failed job's second attempt, in seconds; it doubles for each next one.
    "JOB_RETRY_SECONDS": 60.0,
    #: A running job whose worker gave no sign of life for this long is taken to be lost, and runs again.
    "JOB_LEASE_SECONDS": 300,
    #: Jobs done are forgotten after this many days; failed ones stay until an admin retries them.
    "JOB_KEEP_DAYS": 14,
    #: A survey export of more responses than this is made by a worker, and offered for download when ready.
    "EXPORT_BACKGROUND_ROWS": 2000,
    #: A file made in the background is kept this long for its requester, then deleted.
    "EXPORT_KEEP_HOURS": 24,
}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def _parse(name: str, raw: str, default: object) -> object:
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{PREFIX}{name} must be true or false, not {raw!r}.")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}{name} must be a whole number, not {raw!r}.") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}{name} must be a number, not {raw!r}.") from None
    if isinstance(default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def from_environment(environ: os._Environ | dict) -> dict[str, object]:
    """Return the settings that *environ* gives, parsed by the type of their default."""
    found = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(PREFIX + name)
        if raw is None and name in ("DATABASE_URL", "SECRET_KEY"):
            raw = environ.get(name)
        if raw is not None:
            found[name] = _parse(name, raw, default)
    return found


def database_uri(url: str, instance_path: str) -> str:
    """Return the SQLAlchemy URI for *url*, SQLite in the instance folder when empty."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'lms.sqlite'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database address: {url!r}.") from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.get_backend_name() not in ("postgresql", "sqlite"):
        raise ConfigError(f"DATABASE_URL must point to PostgreSQL or SQLite, not {parsed.drivername!r}.")
    return parsed.render_as_string(hide_password=False)


def shared_limits_problem(config: dict, workers: int) -> str | None:
    """Tell what is wrong when *workers* processes would each count rate limits in their own memory."""
    if workers < 2 or not config["RATELIMIT_ENABLED"] or not config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return None
    return (
        f"{PREFIX}RATELIMIT_STORAGE_URI is memory://, so each of the {workers} workers would count rate limits on "
        f"its own and allow {workers} times as many sign-in attempts: set it to a Redis server shared by every "
        "worker and host (redis://host:6379/0), or run one worker."
    )


#: Bucket names as S3 allows them: 3 to 63 lower-case letters, digits, dots and hyphens.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _is_web_address(url: str) -> bool:
    """An http(s) address with a host and, if any, a port that can be (reading `port` checks it)."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        return False


def object_store_problem(config: dict) -> str | None:
    """Tell what is wrong with the object store's settings, when a bucket is set."""
    if not config["S3_BUCKET"]:
        return None
    if not BUCKET_NAME.fullmatch(config["S3_BUCKET"]):
        return f"{PREFIX}S3_BUCKET must be a bucket name (3 to 63 of a-z, 0-9, . and -), not {config['S3_BUCKET']!r}."
    endpoint = config["S3_ENDPOINT_URL"]
    if endpoint and not _is_web_address(endpoint):
        return f"{PREFIX}S3_ENDPOINT_URL must be the store's address, such as https://s3.example.eu, not {endpoint!r}."
    if bool(config["S3_ACCESS_KEY_ID"]) != bool(config["S3_SECRET_ACCESS_KEY"]):
        return f"{PREFIX}S3_ACCESS_KEY_ID and {PREFIX}S3_SECRET_ACCESS_KEY go together: set both, or neither."
    if config["S3_SERVER_SIDE_ENCRYPTION"] not in ("", "AES256", "aws:kms"):
        return f"{PREFIX}S3_SERVER_SIDE_ENCRYPTION must be AES256, aws:kms or empty."
    return None


def development_secret(instance_path: str) -> str:
    """Return the secret key kept in the instance folder, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def finish(config: dict, instance_path: str, languages: dict) -> None:
    """Check the merged settings and derive Flask's own from them."""
    if config["ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"{PREFIX}ENV must be one of {', '.join(ENVIRONMENTS)}, not {config['ENV']!r}.")
    if config["DEFAULT_LANGUAGE"] not in languages:
        raise ConfigError(f"{PREFIX}DEFAULT_LANGUAGE must be one of {', '.join(languages)}.")
    if config["MAIL_SECURITY"] not in ("starttls", "ssl", "none"):
        raise ConfigError(f"{PREFIX}MAIL_SECURITY must be starttls, ssl or none.")
    if config["PROXIES"] < 0:
        raise ConfigError(f"{PREFIX}PROXIES must be 0 or more.")
    for name in ("SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "ADMIN_SESSION_MAX_HOURS"):
        if config[name] < 1:
            raise ConfigError(f"{PREFIX}{name} must be 1 or more.")
    if config["ADMIN_SESSION_MAX_HOURS"] > config["SESSION_MAX_HOURS"]:
        raise ConfigError(
            f"{PREFIX}ADMIN_SESSION_MAX_HOURS must not exceed {PREFIX}SESSION_MAX_HOURS: "
            "administrators' sign-ins end sooner."
        )
    if config["SURVEY_MIN_GROUP"] < 2:
        raise ConfigError(f"{PREFIX}SURVEY_MIN_GROUP must be 2 or more: a group of one is one person.")
    if config["ENCRYPTION_KEY"] and len(config["ENCRYPTION_KEY"]) < 32:
        raise ConfigError(f"{PREFIX}ENCRYPTION_KEY must be a random string of at least 32 characters.")
    if config["QUEUE_URL"] and not config["QUEUE_URL"].startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{PREFIX}QUEUE_URL must be empty (a queue in SQLite) or a Redis address (redis://...).")
    if config["SUPPORT_WARN_BEFORE_HOURS"] < 0:
        raise ConfigError(f"{PREFIX}SUPPORT_WARN_BEFORE_HOURS must be 0 or more.")
    if config["JOB_LEASE_SECONDS"] < 1:
        raise ConfigError(f"{PREFIX}JOB_LEASE_SECONDS must be 1 or more.")
    if not 0 < config["JOB_RETRY_SECONDS"] <= 86400:
        raise ConfigError(f"{PREFIX}JOB_RETRY_SECONDS must be more than 0 and at most a day (86400).")
    if problem := object_store_problem(config):
        raise ConfigError(problem)
    if config["EXPORT_BACKGROUND_ROWS"] < 0:
        raise ConfigError(f"{PREFIX}EXPORT_BACKGROUND_ROWS must be 0 (every export in the background) or more.")
    if config["EXPORT_KEEP_HOURS"] < 1:
        raise ConfigError(f"{PREFIX}EXPORT_KEEP_HOURS must be 1 or more.")
    if config["BASE_URL"].endswith("/"):
        config["BASE_URL"] = config["BASE_URL"].rstrip("/")
    development = config["ENV"] == "development"
    if not config["SECRET_KEY"]:
        if not (development or config.get("TESTING")):
            raise ConfigError("SECRET_KEY (or LMS_SECRET_KEY) must be set outside development.")
        config["SECRET_KEY"] = development_secret(instance_path)
    config["SQLALCHEMY_DATABASE_URI"] = database_uri(config["DATABASE_URL"], instance_path)
    # A connection that died with a database restart is replaced before use, not handed to a request.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    config["CONTENT_DIR"] = config["CONTENT_DIR"] or str(config["PROJECT_ROOT"] / "course_content")
    config["TRUSTED_HOSTS"] = config["TRUSTED_HOSTS"] or None
    # In production the platform is reached through HTTPS only, whatever the proxy tells the app about the request.
    secure = not (development or config.get("TESTING"))
    config.update(
        HTTPS_ONLY=secure,
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        PREFERRED_URL_SCHEME="https" if secure else "http",
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=config["DEFAULT_LANGUAGE"],
        BABEL_DEFAULT_TIMEZONE=config["DEFAULT_TIMEZONE"],
    )
