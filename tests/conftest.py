"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL via LMS_TEST_DATABASE_URL),
clients that submit forms with their CSRF token, and factories for people and organisations."""

import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from unittest import mock

import boto3
import flask_migrate
import pyotp
import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text, update

from lms import create_app
from lms.accounts import services as accounts
from lms.accounts.models import Invitation, Organisation, Role, TrainerCountry, User
from lms.certificates.models import Certificate, ReissueRequest
from lms.core import jobs
from lms.core.models import Job, JobState, OutboxMessage
from lms.courses import services as courses
from lms.courses.content import load_content
from lms.extensions import db
from lms.support.models import Attachment, ExpertProfile, FaqEntry, Ticket
from lms.surveys import exporting
from lms.surveys import services as surveys
from lms.surveys.models import Answer, Kind, Response, Survey

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"
#: Tables that migrations fill with reference data; the tests keep them.
REFERENCE_TABLES = {"support_topics"}

# The developer's own settings must not leak into the tests.
for name in [name for name in os.environ if name.startswith("LMS_") and not name.startswith("LMS_TEST_")]:
    del os.environ[name]


class Client(FlaskClient):
    """A test client that can send forms as a browser does, with the page's CSRF token."""

    def csrf_token(self) -> str:
        html = self.get("/", follow_redirects=True).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD, **kwargs):
        return self.submit("/accounts/sign-in", {"email": email, "password": password}, **kwargs)


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


@pytest.fixture(scope="session")
def s3_server():
    """The address of an S3-compatible server (moto's) that runs as its own process on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"moto's S3 server did not start on {url}")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@dataclass
class Bucket:
    """A new bucket on the test S3 server, the settings that point the platform to it, and a client to look in."""

    name: str
    settings: dict
    client: object

    def objects(self) -> list[str]:
        """The names of the objects in the bucket."""
        return sorted(found["Key"] for found in self.client.list_objects_v2(Bucket=self.name).get("Contents", []))


@pytest.fixture
def bucket(s3_server) -> Bucket:
    settings = {
        "S3_BUCKET": f"lms-test-{secrets.token_hex(6)}",
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": "eu-central-1",
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY": "test-secret",
    }
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-central-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=settings["S3_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield Bucket(settings["S3_BUCKET"], settings, client)
    client.close()


@pytest.fixture
def storage_settings(request, tmp_path) -> dict:
    """Where `app` keeps files: a folder of the test, or a new bucket when parametrised (indirectly) with "s3"."""
    if getattr(request, "param", "local") == "s3":
        return request.getfixturevalue("bucket").settings
    return {"STORAGE_DIR": str(tmp_path / "uploads")}


@pytest.fixture
def app(database_url, tmp_path, storage_settings):
    app = create_app({**_settings(database_url), **storage_settings})
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


def stored_files(app) -> list[Path]:
    """The files that the app keeps in its local storage folder, in any namespace."""
    return sorted(path for path in Path(app.config["STORAGE_DIR"]).rglob("*") if path.is_file())


@pytest.fixture
def make_app(database_url, tmp_path_factory):
    """Return a factory of further apps on the test database (other hosts, other plugins); disposed after."""
    made = []

    def make(**settings):
        instance = {"LMS_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance"))}
        with mock.patch.dict(os.environ, instance):
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
    """A Redis database emptied for the test; skipped where no Redis server listens, except in CI, where it must."""
    url = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis server at {url}, which CI needs")
        pytest.skip(f"no Redis server at {url}")
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def run_jobs(app):
    """Run the due background jobs in the test's process, as a worker would; return how many ran."""

    def run() -> int:
        with app.app_context():
            return jobs.run_due()

    return run


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

    def create(
        email=None,
        *,
        name="Špela Horvat",
        roles=(Role.LEARNER,),
        organisation_id=None,
        countries=(),
        language="en",
        two_factor_secret=None,
        active=True,
    ):
        with app.app_context():
            organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
            user = accounts.create_user(
                email or f"person{next(counter)}@example.eu",
                name,
                via="test",
                organisation=organisation,
                roles=roles,
                language=language,
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
    return create_user(
        "trainer@example.eu", name="Andrea Ferraro", roles=(Role.TRAINER,), countries=("SI", "AT", "GR", "BG")
    )


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


@pytest.fixture
def days_pass(app):
    """Return a function that moves a survey's answers *days* into the past, as if that time had passed.

    An anonymous survey shows answers only from days that are over, in groups of at least k.
    """

    def move(survey_id: int, days: int = 1) -> None:
        with app.app_context():
            for model in (Response, Answer):
                for day in db.session.scalars(
                    select(model.submitted_on).where(model.survey_id == survey_id).distinct()
                ):
                    db.session.execute(
                        update(model)
                        .where(model.survey_id == survey_id, model.submitted_on == day)
                        .values(submitted_on=day - timedelta(days=days))
                    )
            db.session.commit()

    return move


#: The kinds of visitor of the access tables (tests/test_access.py), in the order of their answers.
VISITORS = ("anonymous", "learner", "other_learner", "other_expert", "other_trainer", "trainer", "admin")
PDF = b"%PDF-1.4\n%%EOF\n"
ADMIN_SECRET = pyotp.random_base32()


@pytest.fixture
def world(app, course, create_user, create_organisation, answers):
    """Seven signed-in visitors and the objects behind every route, owned by "learner" and "trainer" (Slovenia)."""
    app.config["SIGN_IN_RATE_LIMIT"] = (
        "100 per minute"  # seven visitors sign in, then post to sign-in, from one address
    )
    town, elsewhere = (
        create_organisation("Občina Črnomelj", "SI"),
        create_organisation("Stadtgemeinde Traiskirchen", "AT"),
    )
    ids = {
        "learner": create_user("learner@example.si", organisation_id=town),
        "other_learner": create_user("other@example.si", organisation_id=town),
        "other_expert": create_user("lawyer@example.eu", roles=(Role.EXPERT,)),
        "other_trainer": create_user(
            "trainer.at@example.eu", roles=(Role.TRAINER,), countries=("AT",), organisation_id=elsewhere
        ),
        "trainer": create_user("trainer.si@example.eu", roles=(Role.TRAINER,), countries=("SI",)),
        "admin": create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=ADMIN_SECRET),
        "organisation": town,
    }
    clients = {name: app.test_client() for name in VISITORS}
    for name in VISITORS[1:]:
        email = {
            "learner": "learner@example.si",
            "other_learner": "other@example.si",
            "other_expert": "lawyer@example.eu",
            "other_trainer": "trainer.at@example.eu",
            "trainer": "trainer.si@example.eu",
            "admin": "admin@example.eu",
        }[name]
        clients[name].sign_in(email)
    clients["admin"].submit("/accounts/sign-in/code", {"code": pyotp.TOTP(ADMIN_SECRET).now()})
    learner = clients["learner"]
    learner.submit("/courses/local-voices/enrol")
    learner.submit("/courses/local-voices/lessons/first-steps/done")
    learner.submit("/courses/local-voices/lessons/second-steps/check", {"q0": "b", "q1": ["a", "c"]})
    trainer = clients["trainer"]
    trainer.submit("/surveys/from-template", {"course": "local-voices"})
    learner.submit(
        "/support/ask",
        {
            "subject": "A viral post",
            "topic": "communication",
            "language": "en",
            "body": "What now?",
            "files": [(io.BytesIO(PDF), "leaflet.pdf")],
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        db.session.add(ExpertProfile(user_id=ids["other_expert"], topics=["migration-law"], languages=["en"]))
        survey = db.session.scalar(select(Survey))
        survey.published = True
        ticket = db.session.scalar(select(Ticket))
        db.session.add(
            FaqEntry(
                ticket_id=ticket.id,
                topic_slug="communication",
                language="en",
                question="A viral post?",
                answer="Answer once.",
                answer_html="<p>Answer once.</p>",
            )
        )
        invitation, join_token = accounts.create_invitation(
            db.session.get(Organisation, town), role=Role.LEARNER, created_by=db.session.get(User, ids["trainer"])
        )
        accounts.request_join(
            invitation.organisation, invitation=invitation, name="Nova Oseba", email="nova@example.si", language="sl"
        )
        accounts.request_password_reset("other@example.si")
        certificate_id = db.session.scalar(select(Certificate.id))
        reissue_request = ReissueRequest(certificate_id=certificate_id, requested_name="Špela Horvat Novak")
        db.session.add(reissue_request)
        db.session.commit()
        links = db.session.scalars(
            select(OutboxMessage.secret_link).where(OutboxMessage.secret_link.is_not(None)).order_by(OutboxMessage.id)
        ).all()
        failed = Job(kind="mail.deliver", args={"message_id": 1}, state=JobState.FAILED, error="SMTPDataError: 554")
        db.session.add(failed)
        export = exporting.request_export(survey, db.session.get(User, ids["trainer"]), "google", "csv", "en")
        db.session.commit()
        jobs.run_due()  # the trainer's export is ready
        reset_token = re.search(r"/accounts/password-reset/(\S+)", links[-1]).group(1)
        join_confirmation = re.search(r"/accounts/join/confirm/(\S+)", links[-2]).group(1)
        ids.update(
            message=db.session.scalar(select(OutboxMessage.id)),
            job=failed.id,
            survey_export=export.id,
            code=db.session.scalar(select(Certificate.code)),
            survey=survey.id,
            survey_token=survey.token,
            section=survey.sections[0].id,
            question=survey.questions[0].id,
            ticket=ticket.id,
            attachment=db.session.scalar(select(Attachment.id)),
            faq=db.session.scalar(select(FaqEntry.id)),
            join_token=join_token,
            join_confirmation=join_confirmation,
            reset_token=reset_token,
            invitation=invitation.id,
            reissue_request=reissue_request.id,
        )
        assert db.session.scalar(select(Invitation.id)) and ids["code"]
    return ids, clients
