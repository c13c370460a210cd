"""A person's rights: download everything held about them; erasure keeps statistics and verification consistent."""

import io

import pyotp
import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role, User
from lms.certificates.models import Certificate
from lms.courses.models import Enrollment
from lms.extensions import db
from lms.support.models import ExpertProfile, Ticket
from lms.surveys.models import Participation, Response, Survey
from tests.conftest import stored_files

SECRET = pyotp.random_base32()
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def active_learner(app, course, evaluation, answers, create_user, create_organisation):
    """A learner who completed the course, answered its anonymous evaluation, got a certificate and asked a question."""
    create_user("expert@example.eu", roles=(Role.EXPERT,))
    user_id = create_user("spela@example.si", name="Špela Horvat", organisation_id=create_organisation())
    with app.app_context():
        db.session.add(
            ExpertProfile(
                user_id=db.session.scalar(select(User.id).where(User.email == "expert@example.eu")),
                topics=["communication"],
                languages=["en"],
            )
        )
        token = db.session.get(Survey, evaluation).token
        db.session.commit()
    client = app.test_client()
    client.sign_in("spela@example.si")
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/lessons/first-steps/done")
    client.submit("/courses/local-voices/lessons/second-steps/check", {"q0": "b", "q1": ["a", "c"]})
    client.submit(f"/surveys/s/{token}", answers(evaluation))
    client.submit(
        "/support/ask?lang=en",
        {
            "subject": "My town's case",
            "topic": "communication",
            "language": "en",
            "body": "Details about Črnomelj.",
            "files": [(io.BytesIO(PDF), "case.pdf")],
        },
        content_type="multipart/form-data",
    )
    return user_id, client


def test_a_person_downloads_everything_held_about_them(active_learner):
    _user_id, client = active_learner

    response = client.get("/accounts/profile/data.json")
    data = response.get_json()

    assert response.headers["Content-Disposition"].startswith("attachment")
    assert data["account"]["name"] == "Špela Horvat" and data["account"]["email"] == "spela@example.si"
    assert data["courses"][0]["course"] == "local-voices" and data["courses"][0]["completed_at"]
    assert data["certificates"][0]["name"] == "Špela Horvat"
    assert data["questions"][0]["subject"] == "My town's case"
    [survey] = data["surveys"]
    assert survey["answered"] is True and "answers" not in survey  # anonymous: took part, nothing of what was said


def test_erasure_removes_the_person_and_keeps_statistics_and_verification_consistent(
    app, client, active_learner, create_user
):
    user_id, learner = active_learner
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=SECRET)
    client.sign_in("admin@example.eu")
    client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(SECRET).now()})
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
        responses_before = db.session.scalar(select(func.count()).select_from(Response))

    refused = client.submit(f"/accounts/admin/users/{user_id}/erase", {})
    done = client.submit(f"/accounts/admin/users/{user_id}/erase", {"confirm": "y"})

    assert refused.headers["Location"].endswith(f"/accounts/admin/users/{user_id}")
    assert done.headers["Location"] == "/accounts/admin/users"
    with app.app_context():
        person = db.session.get(User, user_id)
        assert (person.name, person.active, person.password_hash, person.organisation_id) == ("—", False, None, None)
        assert person.email.endswith("@erased.invalid") and person.roles == set()
        for model, column in (
            (Enrollment, Enrollment.user_id),
            (Ticket, Ticket.requester_id),
            (Participation, Participation.user_id),
        ):
            assert db.session.scalar(select(func.count()).select_from(model).where(column == user_id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Response)) == responses_before
        assert db.session.scalar(select(Survey.response_count)) == responses_before
    verification = client.get(f"/certificates/verify/{code}?format=json").get_json()
    assert verification["status"] == "revoked" and verification["name"] == "—"
    assert learner.get("/accounts/profile").status_code == 302
    assert stored_files(app) == []
