"""Learners who complete the test course, and how their certificates are found and read."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db

RIGHT = {"q0": "b", "q1": ["a", "c"]}


def complete_course(client) -> None:
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/lessons/first-steps/done")
    client.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)


def code_of(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(Certificate.code).where(Certificate.learner_name == name, Certificate.replaced_at.is_(None))
        )


def pdf_text(response) -> str:
    assert response.mimetype == "application/pdf"
    return text_of(response.data)


def text_of(document: bytes) -> str:
    return PdfReader(io.BytesIO(document)).pages[0].extract_text()


@pytest.fixture
def learner_in(app, create_user, create_organisation):
    """Return a client signed in as a new learner of a town in *country*, named *name*."""

    def make(name: str, email: str, country: str, language: str):
        town = create_organisation(f"Town of {email}", country)
        create_user(email, name=name, organisation_id=town, language=language)
        client = app.test_client()
        client.sign_in(email)
        return client

    return make
