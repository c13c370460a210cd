"""A learner joins by invitation, takes the flagship course, answers its evaluation,
and an employer verifies the certificate."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.certificates.services import RENDER_JOB
from lms.core import jobs
from lms.core.models import Job
from lms.courses.models import Course, Lesson
from lms.extensions import db
from tests.browser.conftest import Person, sign_in

pytestmark = pytest.mark.parametrize("language", ["el", "en"])
FLAGSHIP = {
    "en": "Telling positive stories about migration and integration",
    "el": "Αφήγηση θετικών ιστοριών για τη μετανάστευση και την ένταξη",
}


def quiz_answers(platform, course_slug: str) -> dict[str, list[list[str]]]:
    """The right options of each lesson's knowledge check, per question, as the content declares them."""
    with platform.app.app_context():
        lessons = db.session.scalars(select(Lesson).join(Course).where(Course.slug == course_slug)).all()
        return {
            lesson.slug: [question["correct"] for question in lesson.quiz["questions"]]
            for lesson in lessons
            if lesson.quiz
        }


def take_course(learner: Person, answers: dict[str, list[list[str]]]) -> None:
    """From the current lesson to the last: read, pass each knowledge check, mark each lesson done."""
    page = learner.page
    while True:
        lesson = page.url.rsplit("/", 1)[1]
        if lesson in answers:
            for number, correct in enumerate(answers[lesson]):
                for option in correct:
                    page.locator(f"input[name=q{number}][value={option}]").check()
            learner.follow(page.get_by_role("button", name=learner.t("Check my answers")))
            expect(page.locator("#check-result")).to_contain_text(learner.t("You passed the knowledge check."))
            next_lesson = page.get_by_role("link", name=learner.t("Next lesson"))
            if not next_lesson.count():
                learner.follow(page.get_by_role("link", name=learner.t("Back to the course")))
                return
            learner.follow(next_lesson)
        else:
            done = page.get_by_role("button", name=learner.t("Mark as done and continue"))
            if not done.count():
                learner.follow(page.get_by_role("button", name=learner.t("Mark as done")))
                return
            learner.follow(done)


def answer_survey(person: Person) -> None:
    """Answer every question: the last option of each choice, one box of each list, a sentence in each text field."""
    page = person.page
    for name in set(page.locator("main form input[type=radio]").evaluate_all("inputs => inputs.map(i => i.name)")):
        page.locator(f"input[type=radio][name='{name}']").last.check()
    for name in set(page.locator("main form input[type=checkbox]").evaluate_all("inputs => inputs.map(i => i.name)")):
        page.locator(f"input[type=checkbox][name='{name}']").first.check()
    for dropdown in page.locator("main form select").all():
        dropdown.select_option(index=1)
    for text in page.locator("main form textarea, main form input[type=text]").all():
        text.fill("Πολύ πρακτικό." if person.language == "el" else "Very practical.")
    person.follow(page.get_by_role("button", name=person.t("Send my answers")))


def render_certificate(platform, email: str) -> None:
    """Run the job that renders the PDF of the certificate issued to the person of *email*."""
    with platform.app.app_context():
        certificate = db.session.scalar(
            select(Certificate.id).join(User, User.id == Certificate.user_id).where(User.email == email)
        )
        job = db.session.scalar(
            select(Job.id).where(Job.kind == RENDER_JOB, Job.args["certificate_id"].as_integer() == certificate)
        )
        jobs.execute(job)


def test_a_learner_joins_by_invitation_completes_a_course_and_verifies_the_certificate(person, platform, language):
    email, name = f"nikos.{language}@northaegean.example", "Νίκος Παππάς"
    trainer = person(language)
    sign_in(trainer, "trainer@clarinet.example")
    trainer.go("Invitations")
    trainer.sees("Invitations")
    trainer.page.get_by_label(trainer.t("Organisation")).select_option(label="Περιφέρεια Βορείου Αιγαίου (GR)")
    trainer.page.get_by_label(trainer.t("E-mail address")).fill(email)
    trainer.follow(trainer.page.get_by_role("button", name=trainer.t("Invite")))
    expect(trainer.page.get_by_role("cell", name=email, exact=True)).to_be_visible()

    learner = person(language)
    page = learner.page
    page.goto(platform.mail_link(email))
    learner.sees("Join Clarinet LMS")
    page.get_by_label(learner.t("Full name")).fill(name)
    page.get_by_label(learner.t("Password"), exact=True).fill("aegean sea breeze")
    page.get_by_label(learner.t("Repeat the password")).fill("aegean sea breeze")
    page.get_by_label(learner.t("Language")).last.select_option(language)
    learner.follow(page.get_by_role("button", name=learner.t("Create my account")))
    expect(page.get_by_role("status")).to_contain_text(
        learner.t("Welcome, %(name)s. Your account is ready.", name=name)
    )

    learner.go("Courses")
    learner.sees("Courses")
    learner.follow(page.get_by_role("link", name=FLAGSHIP[language]))
    learner.follow(page.get_by_role("button", name=learner.t("Enrol in this course")))
    expect(page.get_by_role("status")).to_contain_text(learner.t("You are enrolled. Welcome to the course!"))
    take_course(learner, quiz_answers(platform, "positive-stories"))
    expect(page.get_by_role("heading", name=learner.t("Your certificate"))).to_be_visible()

    learner.follow(page.get_by_role("link", name="Clarinet LMS"))
    learner.follow(page.get_by_role("region", name=learner.t("Your opinion, please")).get_by_role("link"))
    answer_survey(learner)
    expect(page.locator("main .badge.done")).to_be_visible()  # the survey's own thank-you

    render_certificate(platform, email)  # as a worker does, moments after the certificate is issued
    learner.go("My certificates")
    learner.sees("My certificates")
    with page.expect_download() as download:
        page.get_by_role("button", name=learner.t("Download the PDF")).click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert name in pdf.pages[0].extract_text()
    verification = page.get_by_role("link", name=learner.t("Verification page")).get_attribute("href")

    employer = person(language)
    employer.page.goto(verification)
    employer.sees("Verify a certificate")
    expect(employer.page.get_by_text(employer.t("This certificate is valid."))).to_be_visible()
    expect(employer.page.locator("main")).to_contain_text(name)
