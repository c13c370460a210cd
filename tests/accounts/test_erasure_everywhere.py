"""Erasing a person removes or redacts them everywhere: every row of every table and every file the platform keeps
is read afterwards, and neither their name, nor any part of it, nor their address is found."""

import io
import re
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role, User
from lms.certificates.models import Certificate, ReissueRequest
from lms.core.mail import queue_mail
from lms.core.models import OutboxMessage
from lms.core.storage import storage
from lms.extensions import db
from lms.support import services as support
from lms.support.models import ExpertProfile, FaqEntry, Message, Ticket
from lms.surveys import services as surveys
from lms.surveys.models import Answer, Kind, Response, Survey
from tests.conftest import stored_files

NAME, EMAIL = "Зорница Quistorp-Ялъмова", "z.quistorp@varna.example"
#: What must be found nowhere: the name, each part of it of four letters or more, the address.
TRACES = [NAME, "Зорница", "Quistorp", "Ялъмова", "Quistorp-Ялъмова", EMAIL]
PASSWORD = "a long enough password"
SECRET = pyotp.random_base32()
PDF = b"%PDF-1.4\n% Application of " + NAME.encode() + b", Varna\n%%EOF\n"


def everything_stored(app) -> str:
    """Every value of every row of every table, and the content of every file kept in storage or imports."""
    with app.app_context():
        values = [
            str(value)
            for table in db.metadata.sorted_tables
            for row in db.session.execute(table.select())
            for value in row
        ]
    files = [path.read_bytes().decode("utf-8", "replace") for path in stored_files(app)]
    return "\n".join(values + files)


def signed_in(app, email, password=None):
    client = app.test_client()
    client.sign_in(email, *([password] if password else []))
    if email == "admin@example.eu":
        client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(SECRET).now()})
    return client


@pytest.fixture
def staff(app, create_user, create_organisation, course, evaluation):
    """Varna's organisation, two experts of communication and an admin (the trainer of Bulgaria is `trainer`)."""
    varna = create_organisation("Община Варна", "BG")
    ids = {
        "varna": varna,
        "expert": create_user("eleni@media.example", name="Ελένη Γεωργίου", roles=(Role.EXPERT,)),
        "colleague": create_user("anja@example.eu", name="Anja Kos", roles=(Role.EXPERT,)),
        "admin": create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=SECRET),
    }
    with app.app_context():
        for expert in ("expert", "colleague"):
            db.session.add(ExpertProfile(user_id=ids[expert], topics=["communication"], languages=["bg", "en"]))
        db.session.commit()
    return ids


def identified_survey(app, trainer_id) -> str:
    """A published, non-anonymous follow-up survey with one written question; returns its token."""
    with app.app_context():
        trainer = db.session.get(User, trainer_id)
        survey = surveys.create_survey(trainer, "Follow-up", anonymous=False)
        survey.languages = ["en"]
        question = surveys.add_question(survey.sections[0], Kind.LONG_TEXT)
        question.texts = {"en": {"text": "What did you change?", "help": ""}}
        surveys.publish(survey, trainer)
        db.session.commit()
        return survey.token


def test_an_erased_person_is_found_nowhere(app, staff, trainer, answers, evaluation, run_jobs):
    # Joining: invited by the trainer of Bulgaria, then a password-reset link.
    trainer_client = signed_in(app, "trainer@example.eu")
    trainer_client.submit(
        "/accounts/invitations", {"organisation": str(staff["varna"]), "role": "learner", "email": EMAIL}
    )
    with app.app_context():
        invitation = db.session.scalar(select(OutboxMessage.secret_link).where(OutboxMessage.recipient == EMAIL))
    link = re.search(r"/accounts/join/\S+", invitation).group(0)
    joined = app.test_client().submit(
        link, {"name": NAME, "email": EMAIL, "password": PASSWORD, "confirm": PASSWORD, "language": "bg"}
    )
    assert joined.status_code == 302
    app.test_client().submit("/accounts/password-reset", {"email": EMAIL})
    with app.app_context():
        person_id = db.session.scalar(select(User.id).where(User.email == EMAIL))

    # Learning: the course, the anonymous evaluation and an identified follow-up (both naming her), the certificate.
    person = signed_in(app, EMAIL, PASSWORD)
    person.submit("/courses/local-voices/enrol")
    person.submit("/courses/local-voices/lessons/first-steps/done")
    person.submit("/courses/local-voices/lessons/second-steps/check", {"q0": "b", "q1": ["a", "c"]})
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    person.submit(f"/surveys/s/{token}", answers(evaluation, successes=f"Thanks from {NAME} ({EMAIL})"))
    follow_up = identified_survey(app, trainer)
    with app.app_context():
        question_id = db.session.scalar(select(Survey).where(Survey.token == follow_up)).questions[0].id
    person.submit(f"/surveys/s/{follow_up}", {f"q{question_id}": f"I, {NAME}, now answer posts once."})
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == person_id))
        code = certificate.code
        # She asked for the certificate to be re-issued under her name as her passport writes it.
        db.session.add(ReissueRequest(certificate_id=certificate.id, requested_name="Зорница Ялъмова"))
        db.session.commit()
    assert code
    run_jobs()  # the certificate's PDFs, with her name, are stored, and she is told that they are ready
    with app.app_context():
        assert len(storage().keys("certificates")) == 1  # in her language; others when someone asks

    # Support: a question naming her, with a file naming her; an answer signed by a colleague; the FAQ.
    asked = person.submit(
        "/support/ask?lang=en",
        {
            "subject": f"{NAME} asks: posters or posts?",
            "topic": "communication",
            "language": "bg",
            "body": f"Hello, I am {NAME} from Varna, {EMAIL}.",
            "files": [(io.BytesIO(PDF), "application.pdf")],
        },
        content_type="multipart/form-data",
    )
    ticket_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    expert = signed_in(app, "eleni@media.example")
    expert.submit(f"/support/{ticket_id}/take")
    expert.submit(f"/support/{ticket_id}", {"body": "Dear Зорница,\n\nposts first.\n\nFor the team, Anja Kos"})
    published = expert.submit(
        f"/support/{ticket_id}/faq?lang=en",
        {"question": "Posters or posts?", "answer": "Posts first.\n\nFor the team, Anja Kos"},
    )
    assert published.status_code == 302
    with app.app_context():
        db.session.add(  # an entry from before the anonymity check, which named her
            FaqEntry(
                topic_slug="communication",
                language="bg",
                question="Как да отговорим?",
                answer=f"Както направи {NAME}.",
                answer_html=f"<p>Както направи {NAME}.</p>",
            )
        )
        queue_mail(  # a colleague told by e-mail that she handed a question over (experts also got her subject)
            "anja@example.eu",
            "support/mail/handed_over.txt",
            "en",
            user=db.session.get(User, staff["colleague"]),
            ticket=db.session.get(Ticket, ticket_id),
            expert=db.session.get(User, person_id),
            link="http://localhost/support/1",
        )
        db.session.commit()

    # A Google Forms file with her address, uploaded and waiting for its column mapping.
    csv = f"Timestamp,Email Address,What worked well for you?\n2026/01/05 10:00:00,{EMAIL},Posters\n"
    trainer_client.submit(
        f"/surveys/{evaluation}/import",
        {"file": (io.BytesIO(csv.encode()), "responses.csv")},
        content_type="multipart/form-data",
    )

    stored = everything_stored(app)
    assert all(trace in stored for trace in TRACES)  # the journey left her everywhere
    with app.app_context():
        responses = db.session.scalar(select(func.count()).select_from(Response))

    admin = signed_in(app, "admin@example.eu")
    erased = admin.submit(f"/accounts/admin/users/{person_id}/erase", {"confirm": "y"})

    assert erased.headers["Location"] == "/accounts/admin/users"
    stored = everything_stored(app).casefold()
    assert [trace for trace in TRACES if trace.casefold() in stored] == []
    assert "anja kos" in stored  # a colleague's name stays
    verification = app.test_client().get(f"/certificates/verify/{code}?format=json").get_json()
    assert verification["status"] == "revoked" and verification["name"] == "—"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == responses
        entry = db.session.scalar(select(FaqEntry).where(FaqEntry.question == "Posters or posts?"))
        assert entry.ticket_id is None and entry.author_id == staff["expert"]
        assert db.session.scalar(select(FaqEntry.answer).where(FaqEntry.question == "Как да отговорим?")) == (
            "Както направи [премахнато име]."
        )
        texts = db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
        assert "I, [name removed], now answer posts once." in texts
        assert (
            db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == EMAIL))
            == 0
        )
    assert stored_files(app) == []
    assert [trace for trace in TRACES if trace.encode() in database_files(app)] == []


def database_files(app) -> bytes:
    """The bytes of the SQLite database and its write-ahead log, free pages included (empty on PostgreSQL)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return b""
        path = Path(db.engine.url.database)
    return b"".join(file.read_bytes() for file in (path, path.with_name(path.name + "-wal")) if file.exists())


def test_an_erased_experts_answers_stay_without_their_name_and_their_faq_entries_without_them(app, staff, create_user):
    person_id = create_user(EMAIL, name=NAME, roles=(Role.EXPERT,))
    maria = create_user("maria@burgas.example", name="Мария Иванова")
    with app.app_context():
        db.session.add(ExpertProfile(user_id=person_id, topics=["communication"], languages=["bg", "en"]))
        ticket = support.ask(
            db.session.get(User, maria),
            subject="Posters or posts?",
            body="Which works better?",
            topic=db.session.get(support.Topic, "communication"),
            language="en",
        )
        colleague, person = db.session.get(User, staff["colleague"]), db.session.get(User, person_id)
        support.take(ticket, colleague)
        support.hand_over(ticket, colleague, person)
        support.reply(ticket, person, f"Posts first.\n\n{NAME}  \nCommunication desk, <{EMAIL}>")
        entry = support.publish_faq(ticket, person, "Posters or posts?", "Posts first.")
        db.session.commit()
        ticket_id, entry_id = ticket.id, entry.id

    signed_in(app, "admin@example.eu").submit(f"/accounts/admin/users/{person_id}/erase", {"confirm": "y"})

    stored = everything_stored(app).casefold()
    assert [trace for trace in TRACES if trace.casefold() in stored] == []
    with app.app_context():
        question, note, answer = db.session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
        ).all()
        assert (question.author_id, note.author_id, answer.author_id) == (maria, staff["colleague"], None)
        assert answer.body == "Posts first.\n\n[name removed]  \nCommunication desk, <[e-mail removed]>"
        assert "[name removed]" in answer.html and "[e-mail removed]" in answer.html
        assert note.body == "Handed over to [name removed]."
        assert db.session.get(Ticket, ticket_id).assignee_id is None
        assert db.session.get(FaqEntry, entry_id).author_id is None
    page = signed_in(app, "maria@burgas.example").get(f"/support/{ticket_id}").get_data(as_text=True)
    assert "(account deleted)" in page and "Posts first." in page


def test_erasure_removes_the_pending_uploads_that_name_the_person_and_keeps_the_others(app, staff, create_user):
    person_id = create_user(EMAIL, name=NAME)
    header = "Timestamp,First name,Last name,Email Address,What worked well for you?\n"
    files = {
        "by-address.csv": f"2026/01/05 10:00:00,,,{EMAIL.upper()},Posters\n",
        "by-name-in-two-columns.csv": "2026/01/05 10:00:00,Зорница,Quistorp-Ялъмова,,Posters\n",
        "by-first-name-only.csv": "2026/01/05 10:00:00,Зорница,Petrova,zp@example.bg,Posters\n",
        "someone-else.csv": "2026/01/05 10:00:00,Ivan,Petrov,ivan@example.bg,Posters\n",
    }
    with app.app_context():
        keys = {filename: storage().save((header + row).encode(), "imports") for filename, row in files.items()}

    signed_in(app, "admin@example.eu").submit(f"/accounts/admin/users/{person_id}/erase", {"confirm": "y"})

    with app.app_context():
        kept = storage().keys("imports")
    assert sorted(filename for filename, key in keys.items() if key in kept) == [
        "by-first-name-only.csv",
        "someone-else.csv",
    ]
