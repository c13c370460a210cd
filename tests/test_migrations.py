"""The migrations build exactly the schema that the models describe, and keep the data they change."""

import json
import secrets

import flask_migrate
import pyotp
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from lms import create_app
from lms.accounts.models import User
from lms.extensions import db
from lms.surveys.models import Question
from tests.conftest import TEST_DATABASE_URL


def test_the_migrated_database_matches_the_models(app_ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == []


@pytest.fixture
def empty_database(tmp_path):
    """A database of its own, empty: a SQLite file, or a new PostgreSQL database beside the test one."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"lms_migrations_{secrets.token_hex(4)}"
    server = create_engine(
        TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    server.dispose()


def test_answers_written_before_they_were_numbered_keep_their_values_and_order(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": empty_database})
    with app.app_context():
        flask_migrate.upgrade(revision="c1e56c0ef182")  # answers still keyed by one sequence
        db.session.execute(
            text(
                "INSERT INTO surveys_surveys (id, token, base_language, languages, texts, anonymous, published, "
                "response_count, required_for_certificate, created_at) VALUES (1, 't', 'en', '[]', '{}', true, true, "
                "2, false, '2026-11-01')"
            )
        )
        db.session.execute(text("INSERT INTO surveys_sections (id, survey_id, position, texts) VALUES (1, 1, 1, '{}')"))
        db.session.execute(
            text(
                "INSERT INTO surveys_questions (id, survey_id, section_id, position, code, kind, required, options, "
                "rows, allow_other, texts) VALUES (1, 1, 1, 1, 'q1', 'agree', false, '[]', '[]', false, '{}')"
            )
        )
        for response, language in (("b" * 32, "sl"), ("a" * 32, "it")):
            db.session.execute(
                text(
                    "INSERT INTO surveys_responses (id, survey_id, submitted_on, language, country, source) "
                    "VALUES (:id, 1, '2026-11-02', :language, 'SI', 'web')"
                ),
                {"id": response, "language": language},
            )
        for number, (response, value, written) in enumerate(
            [("b" * 32, 5, None), ("a" * 32, 2, None), ("b" * 32, None, "Odlično"), ("a" * 32, None, "Bene")], start=1
        ):
            db.session.execute(
                text(
                    "INSERT INTO surveys_answers (id, response_id, survey_id, question_id, number, text, country, "
                    "language, submitted_on) VALUES (:id, :response, 1, 1, :number, :text, 'SI', 'sl', '2026-11-02')"
                ),
                {"id": number, "response": response, "number": value, "text": written},
            )
        db.session.commit()

        flask_migrate.upgrade()
        stored = db.session.execute(
            text("SELECT response_id, position, number, text FROM surveys_answers ORDER BY response_id, position")
        ).all()
        db.session.remove()
        db.engine.dispose()

    assert [tuple(row) for row in stored] == [
        ("a" * 32, 1, 2, None),
        ("a" * 32, 2, None, "Bene"),
        ("b" * 32, 1, 5, None),
        ("b" * 32, 2, None, "Odlično"),
    ]


def _survey_with_a_question(kind: str, options: str, texts: str, response: str, country: str, day: str) -> None:
    """Write, in SQL of the schema of that time, a published survey with one question and one response."""
    db.session.execute(
        text(
            "INSERT INTO surveys_surveys (id, token, base_language, languages, texts, anonymous, published, "
            "response_count, required_for_certificate, access_codes, created_at) VALUES (1, 't', 'en', '[\"en\"]', "
            "'{}', false, true, 1, false, false, '2026-11-01')"
        )
    )
    db.session.execute(text("INSERT INTO surveys_sections (id, survey_id, position, texts) VALUES (1, 1, 1, '{}')"))
    db.session.execute(
        text(
            "INSERT INTO surveys_questions (id, survey_id, section_id, position, code, kind, required, options, "
            "rows, allow_other, texts) VALUES (1, 1, 1, 1, 'how', :kind, false, :options, '[]', false, :texts)"
        ),
        {"kind": kind, "options": options, "texts": texts},
    )
    db.session.execute(
        text(
            "INSERT INTO surveys_responses (id, survey_id, submitted_on, language, country, source) "
            "VALUES (:id, 1, :day, 'el', :country, 'web')"
        ),
        {"id": response, "day": day, "country": country},
    )


def test_options_answered_before_codes_were_stable_keep_their_answers_and_labels(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": empty_database})
    labels = json.dumps(
        {"en": {"text": "How?", "options": {"o1": "In person", "o2": "Online"}}, "el": {"options": {"o1": "Δια ζώσης"}}}
    )
    with app.app_context():
        flask_migrate.upgrade(revision="394f6d70c734")  # the builder still gave codes by place
        _survey_with_a_question("single", '["o1", "o2"]', labels, "c" * 32, "GR", "2026-11-02")
        db.session.execute(
            text(
                "INSERT INTO surveys_answers (response_id, position, survey_id, question_id, option_code, country, "
                "language, submitted_on) VALUES (:id, 1, 1, 1, 'o2', 'GR', 'el', '2026-11-02')"
            ),
            {"id": "c" * 32},
        )
        db.session.commit()

        flask_migrate.upgrade()
        question = db.session.get(Question, 1)
        found = (question.options, question.retired_options, question.label("options", "o1", "el"))
        chosen = db.session.scalar(text("SELECT option_code FROM surveys_answers"))
        db.session.remove()
        db.engine.dispose()

    assert found == (["o1", "o2"], [], "Δια ζώσης") and chosen == "o2"


def test_answers_stored_before_they_had_a_day_take_their_responses_day(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": empty_database})
    with app.app_context():
        flask_migrate.upgrade(revision="7c2a9e4f1b30")
        _survey_with_a_question("agree", "[]", "{}", "d" * 32, "HU", "2026-06-15")
        db.session.execute(
            text(
                "INSERT INTO surveys_answers (response_id, position, survey_id, question_id, number, country, "
                "language) VALUES (:id, 1, 1, 1, 4, 'HU', 'hu')"
            ),
            {"id": "d" * 32},
        )
        db.session.commit()

        flask_migrate.upgrade()
        day = db.session.scalar(text("SELECT submitted_on FROM surveys_answers"))
        db.session.remove()
        db.engine.dispose()

    assert str(day) == "2026-06-15"


def test_every_migration_goes_down_and_up_again(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": empty_database})
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata
            )
        db.session.remove()
        db.engine.dispose()

    assert differences == []


def test_secrets_written_in_clear_before_are_encrypted_and_delivered_links_forgotten(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": empty_database})
    secret, link = pyotp.random_base32(), "https://learn.example.eu/accounts/password-reset/Tok3n_-x"
    with app.app_context():
        flask_migrate.upgrade(revision="6c1f0e9d2a47")  # authenticator keys and links in clear
        db.session.execute(
            text(
                "INSERT INTO accounts_users (id, email, name, language, timezone, active, session_epoch, totp_secret, "
                "is_demo, created_at) VALUES (1, 'spela@example.eu', 'Špela', 'sl', 'Europe/Ljubljana', true, 0, "
                ":secret, false, '2026-11-01')"
            ),
            {"secret": secret},
        )
        for message_id, sent_at in ((1, "2026-11-02"), (2, None)):
            db.session.execute(
                text(
                    "INSERT INTO core_outbox (id, recipient, subject, body, created_at, sent_at, attempts) "
                    "VALUES (:id, 'spela@example.eu', 'Choose a new password', :body, '2026-11-02', :sent_at, 1)"
                ),
                {"id": message_id, "body": f"Open this link:\n\n{link}\n\nIt works once.\n", "sent_at": sent_at},
            )
        db.session.commit()

        flask_migrate.upgrade()
        stored = db.session.scalar(text("SELECT totp_secret FROM accounts_users"))
        user = db.session.get(User, 1)
        messages = db.session.execute(text("SELECT id, body, secret_link FROM core_outbox ORDER BY id")).all()
        db.session.remove()
        flask_migrate.downgrade(revision="6c1f0e9d2a47")
        back = db.session.execute(text("SELECT totp_secret FROM accounts_users")).scalar()
        bodies = db.session.scalars(text("SELECT body FROM core_outbox ORDER BY id")).all()
        db.session.remove()
        db.engine.dispose()

    assert secret not in stored and user.totp_secret == secret and back == secret
    assert [tuple(row) for row in messages] == [
        (1, "Open this link:\n\n[one-time link]\n\nIt works once.\n", None),
        (2, "Open this link:\n\n[one-time link]\n\nIt works once.\n", link),
    ]
    assert bodies == [
        "Open this link:\n\n[one-time link]\n\nIt works once.\n",
        f"Open this link:\n\n{link}\n\nIt works once.\n",
    ]
