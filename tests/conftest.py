"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL via LMS_TEST_DATABASE_URL),
clients that submit forms with their CSRF token, and factories for people and organisations."""

import os
import re
import shutil
from pathlib import Path

import flask_migrate
import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from lms import create_app
from lms.accounts import services as accounts
from lms.accounts.models import Organisation, Role, TrainerCountry, User
from lms.courses import services as courses
from lms.courses.content import load_content
from lms.surveys import services as surveys
from lms.surveys.models import Kind, Survey
from lms.extensions import db

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"
#: Tables that migrations fill with reference data; the tests keep them.
REFERENCE_TABLES = {"support_topics"}

# The developer's own settings must not leak into the tests.
for name in [name for name in os.environ if name.startswith("LMS_") and name != "LMS_TEST_DATABASE_URL"]:
    del os.environ[name]


class Client(FlaskClient):
    """A test client that can send forms as a browser does, with the page's CSRF token."""

    def csrf_token(self) -> str:
        html = self.get("/", follow_redirects=True).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD):
        return self.submit("/accounts/sign-in", {"email": email, "password": password})


def _settings(database_url: str) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Return a fresh database, migrated to the newest schema by Alembic."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    if TEST_DATABASE_URL:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(_settings(url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({**_settings(database_url), "STORAGE_DIR": str(tmp_path / "uploads")})
    app.test_client_class = Client
    yield app
    with app.app_context():
        db.session.remove()
        tables = [table for table in db.metadata.sorted_tables if table.name not in REFERENCE_TABLES]
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                db.session.execute(table.delete())
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url):
    """Return a factory of further apps on the test database (other hosts, other plugins); disposed after."""
    made = []

    def make(**settings):
        app = create_app({**_settings(database_url), **settings})
        app.test_client_class = Client
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def redis_url():
    """A Redis database emptied for the test; skipped where no Redis server listens."""
    url = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.flushdb()
    except redis.ConnectionError:
        pytest.skip(f"no Redis server at {url}")
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    """An app context for service tests, which make no requests."""
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def password_hash() -> str:
    """The hash of PASSWORD, computed once: Argon2 is slow on purpose."""
    return accounts.hash_password(PASSWORD)


@pytest.fixture
def create_organisation(app):
    """Return a factory of organisations (committed), with sensible defaults."""

    def create(name="Občina Črnomelj", country="SI", kind="municipality"):
        with app.app_context():
            organisation = accounts.create_organisation(name, country, kind)
            db.session.commit()
            return organisation.id

    return create


@pytest.fixture
def create_user(app, password_hash):
    """Return a factory of people (committed) who sign in with PASSWORD; it returns their id."""
    counter = iter(range(1, 10_000))

    def create(email=None, *, name="Špela Horvat", roles=(Role.LEARNER,), organisation_id=None,
               countries=(), language="en", two_factor_secret=None, active=True):
        with app.app_context():
            organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
            user = accounts.create_user(
                email or f"person{next(counter)}@example.eu", name, via="test", organisation=organisation,
                roles=roles, language=language,
            )
            user.password_hash = password_hash
            user.country_rows = [TrainerCountry(country=code) for code in countries]
            user.totp_secret = two_factor_secret
            user.active = active
            db.session.commit()
            return user.id

    return create


COURSE_CONTENT = Path(__file__).parent / "courses" / "content"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A copy of the test content that a test may edit."""
    return Path(shutil.copytree(COURSE_CONTENT, tmp_path / "content"))


@pytest.fixture
def import_content(app):
    """Return a function that imports a content folder and commits."""

    def run(folder: Path = COURSE_CONTENT):
        with app.app_context():
            content = load_content(folder)
            assert content.problems == []
            report = courses.import_content(content)
            db.session.commit()
            return report

    return run


@pytest.fixture
def course(app, import_content):
    """The imported test course "local-voices", its media served from the test content folder."""
    app.config["CONTENT_DIR"] = str(COURSE_CONTENT)
    import_content()
    return "local-voices"


@pytest.fixture
def learner(client, create_user, create_organisation):
    """A signed-in learner of Občina Črnomelj; returns their id."""
    user_id = create_user("spela@example.si", organisation_id=create_organisation())
    client.sign_in("spela@example.si")
    return user_id


@pytest.fixture
def trainer(create_user):
    return create_user("trainer@example.eu", name="Andrea Ferraro", roles=(Role.TRAINER,), countries=("SI", "AT", "GR", "BG"))


@pytest.fixture
def evaluation(app, course, trainer):
    """The published evaluation of the course local-voices, required for its certificate; returns its id."""
    with app.app_context():
        survey = surveys.create_from_template(db.session.get(User, trainer), course_slug="local-voices")
        surveys.publish(survey, db.session.get(User, trainer))
        db.session.commit()
        return survey.id


@pytest.fixture
def answers(app):
    """Return a function giving a complete, valid set of form answers for a survey."""

    def make(survey_id: int, **overrides) -> dict:
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            data = {}
            for question in survey.questions:
                name, kind = f"q{question.id}", question.kind_
                if kind is Kind.GRID:
                    data.update({f"{name}_{row}": question.options[-2] for row in question.rows})
                elif kind.numeric:
                    data[name] = "4" if kind is not Kind.NPS else "9"
                elif kind.choice:
                    data[name] = question.options[0] if kind is not Kind.MULTIPLE else question.options[:2]
                else:
                    data[name] = "Very practical"
            codes = {question.code: f"q{question.id}" for question in survey.questions}
        return {**data, **{codes.get(key, key): value for key, value in overrides.items()}}

    return make
