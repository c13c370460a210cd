"""The application factory."""

import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from lms import i18n
from lms.core import cli, errors, jobs, mail, security, storage, templating
from lms.core import config as settings
from lms.core.plugins import load_plugins
from lms.core.templating import MAX_ID
from lms.core.views import bp as core_bp
from lms.extensions import csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the platform: defaults, then instance file and environment, then *test_config*."""
    app = Flask(
        "lms",
        instance_path=os.environ.get("LMS_INSTANCE_PATH"),
        instance_relative_config=True,
        static_folder="core/static",
        template_folder="core/templates",
    )
    app.config.update(settings.DEFAULTS, PROJECT_ROOT=PROJECT_ROOT, TRANSLATIONS_DIR=PROJECT_ROOT / "translations")
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment(os.environ))
    app.config.update(test_config or {})
    settings.finish(app.config, app.instance_path, i18n.LANGUAGES)
    storage.private_folder(Path(app.instance_path))  # the SQLite database, the development key, pending uploads
    if app.config["PROXIES"]:
        # Behind a TLS terminator or load balancer, the visitor's address is the one the proxies forwarded:
        # rate limits per address would otherwise count every visitor as one.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"])

    app.url_map.converters["int"] = BoundedInteger
    _init_extensions(app)
    storage.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    jobs.register(app, [*jobs.JOBS, *mail.JOBS])
    app.register_blueprint(core_bp)
    app.cli.add_command(cli.demo)
    app.cli.add_command(cli.mail)
    app.cli.add_command(cli.jobs)
    app.cli.add_command(cli.worker)
    load_plugins(app)
    if not app.debug:
        app.logger.setLevel(logging.INFO)
    if app.config["ENV"] == "production" and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        # gunicorn.conf.py refuses several workers on memory://; a server started without it is warned here.
        app.logger.warning(
            "LMS_RATELIMIT_STORAGE_URI is memory://: each process counts rate limits apart. Serve from one process, "
            "or set it to redis://... (gunicorn -c gunicorn.conf.py refuses several workers without it)."
        )
    return app


class BoundedInteger(IntegerConverter):
    """An <int:…> in a route, no larger than the database's integer columns: a huge id is a 404, not an error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    app.teardown_appcontext(_release_session)  # runs before Flask-SQLAlchemy's own teardown
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _release_session(_error) -> None:
    """Give the request's connection back; one the database has cut (a restart) is discarded, not a 500."""
    try:
        db.session.close()
    except DBAPIError as error:
        logging.getLogger("lms.core").warning("Discarded a connection the database closed: %s", error.orig)
        db.session().invalidate()


def _sqlite_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(connection, _record) -> None:
    # SQLite's own lower() folds ASCII only; names here are Greek, Cyrillic and accented.
    connection.create_function("lower", 1, _sqlite_lower, deterministic=True)
    cursor = connection.cursor()
    for _number, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            _owner_only(Path(path))
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Deleted and overwritten rows are zeroed on disk, so an erased person's name is not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _owner_only(database: Path) -> None:
    """Make the SQLite file the owner's alone (0600); the write-ahead log and shared-memory files that SQLite
    creates later take its mode, and those left by an earlier start are changed too."""
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError as error:
            logging.getLogger("lms.core").warning("Could not make %s readable by its owner only: %s", path, error)
