"""Every page of the platform, beyond the journeys, audited by axe-core as the people who use it see it."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from lms.accounts.services import user_by_email
from lms.certificates.models import Certificate
from lms.core.models import OutboxMessage
from lms.extensions import db
from lms.support.models import FaqEntry, Ticket
from lms.surveys.services import course_survey
from tests.browser.conftest import sign_in

#: Who reads which pages; the names in braces stand for objects of the demo data.
PAGES = {
    None: [
        "/accounts/sign-in",
        "/accounts/password-reset",
        "/certificates/verify",
        "/certificates/verify/{code}",
        "/support/faq",
        "/support/faq/{faq}",
        "/courses/no-such-course",
    ],
    "maria.ivanova@burgas.example": [
        "/",
        "/courses/",
        "/courses/mine",
        "/courses/positive-stories",
        "/courses/positive-stories/lessons/why-stories",
        "/certificates/",
        "/surveys/mine",
        "/support/",
        "/support/ask",
        "/support/{ticket}",
        "/accounts/profile",
        "/accounts/two-factor",
    ],
    "trainer@clarinet.example": [
        "/accounts/invitations",
        "/courses/positive-stories/report",
        "/courses/positive-stories/enrol-people",
        "/surveys/",
        "/surveys/{survey}/edit",
        "/surveys/{survey}/results",
        "/surveys/{survey}/exports",
        "/surveys/{survey}/translate/de",
        "/surveys/{survey}/share",
        "/surveys/{survey}/import",
        "/surveys/{survey}/sections/{section}",
        "/surveys/{survey}/questions/{question}",
        "/dashboards/answers?survey={survey}",
        "/dashboards/report?survey={survey}&country=IT",
        "/certificates/manage",
        "/certificates/manage/{code}/revoke",
    ],
    "expert.media@clarinet.example": [
        "/support/faq/{faq}/edit",
    ],
    "admin@clarinet.example": [
        "/accounts/admin/users",
        "/accounts/admin/users/{learner}",
        "/accounts/admin/users/new",
        "/accounts/admin/organisations",
        "/accounts/admin/organisations/{organisation}",
        "/accounts/admin/organisations/new",
        "/outbox",
        "/outbox/{message}",
        "/jobs",
        "/jobs?state=done",
        "/support/experts",
        "/support/experts/{expert}",
        "/support/topics",
        "/support/topics/communication",
        "/support/topics/new",
    ],
}


@pytest.fixture(scope="module")
def demo(platform) -> dict:
    """The ids and codes of the demo objects that the pages show."""
    with platform.app.app_context():
        learner, survey = user_by_email("maria.ivanova@burgas.example"), course_survey("positive-stories")
        return {
            "code": db.session.scalar(
                select(Certificate.code).where(Certificate.revoked_at.is_(None), Certificate.replaced_at.is_(None))
            ),
            "faq": db.session.scalar(select(FaqEntry.id)),
            "ticket": db.session.scalar(select(Ticket.id).where(Ticket.requester_id == learner.id)),
            "survey": survey.id,
            "section": survey.sections[0].id,
            "question": survey.questions[0].id,
            "learner": learner.id,
            "organisation": learner.organisation_id,
            "message": db.session.scalar(select(OutboxMessage.id)),
            "expert": user_by_email("expert@clarinet.example").id,
        }


def authenticator_code(platform, email: str) -> str:
    """The code an authenticator app shows now, or the next one if this one was used (each is accepted once)."""
    with platform.app.app_context():
        user = user_by_email(email)
        totp, moment = pyotp.TOTP(user.totp_secret), datetime.now(UTC)
        if user.totp_last_step is not None and user.totp_last_step >= totp.timecode(moment):
            moment += timedelta(seconds=totp.interval)
        return totp.at(moment)


@pytest.mark.parametrize("language", ["el", "en"])
@pytest.mark.parametrize("email", list(PAGES), ids=lambda email: (email or "anonymous").split("@")[0])
def test_every_page_passes_the_accessibility_audit(person, platform, demo, email, language):
    visitor = person(language)
    if email:
        sign_in(visitor, email)
        if visitor.page.url.endswith("/accounts/sign-in/code"):
            visitor.page.get_by_label(visitor.t("Code"), exact=True).fill(authenticator_code(platform, email))
            visitor.follow(visitor.page.get_by_role("button", name=visitor.t("Continue")))
    for path in PAGES[email]:
        url = path.format(**demo)
        response = visitor.page.goto(url)
        assert (response.status < 400 or "no-such" in path) and visitor.page.url.endswith(url), (
            f"{url}: {response.status} at {visitor.page.url}"
        )
        visitor.audit()
