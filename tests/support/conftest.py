"""Fixtures of the support jobs' tests: a team of experts and admins in their own languages and time zones."""

import pytest
from sqlalchemy import delete, select

from lms.accounts.models import Role, User
from lms.core.models import OutboxMessage
from lms.extensions import db
from lms.support import services
from lms.support.models import ExpertProfile, Topic


@pytest.fixture
def team(app, create_user, create_organisation):
    """Maria asks in Bulgarian; Eleni (Athens) and Anja answer communication in Bulgarian, Nikola migration law;
    Jonas is an admin in Berlin who reads German, Petra an admin no longer active."""
    burgas = create_organisation("Община Бургас", "BG")
    ids = {
        "maria": create_user("maria@burgas.example", name="Мария Иванова", organisation_id=burgas, language="bg"),
        "other": create_user("ivan@burgas.example", name="Иван Петров", organisation_id=burgas, language="bg"),
        "eleni": create_user("eleni@example.eu", name="Ελένη Γεωργίου", roles=(Role.EXPERT,)),
        "anja": create_user("anja@example.eu", name="Anja Kos", roles=(Role.EXPERT,), language="sl"),
        "nikola": create_user("nikola@example.eu", name="Nikola Petrović", roles=(Role.EXPERT,)),
        "jonas": create_user("jonas@example.eu", name="Jonas Weber", roles=(Role.ADMIN,), language="de"),
        "petra": create_user("petra@example.eu", name="Petra Novak", roles=(Role.ADMIN,), active=False),
    }
    with app.app_context():
        db.session.get(User, ids["eleni"]).timezone = "Europe/Athens"
        db.session.get(User, ids["jonas"]).timezone = "Europe/Berlin"
        db.session.add_all(
            [
                ExpertProfile(user_id=ids["eleni"], topics=["communication"], languages=["bg", "en"]),
                ExpertProfile(user_id=ids["anja"], topics=["communication"], languages=["bg"]),
                ExpertProfile(user_id=ids["nikola"], topics=["migration-law"], languages=["bg"]),
            ]
        )
        db.session.commit()
    return ids


@pytest.fixture
def question(app, team):
    """Return a factory: Maria asks a question about communication in Bulgarian; it returns the question's id."""

    def ask(subject="Как да отговорим на вирусен пост?") -> int:
        with app.app_context():
            ticket = services.ask(
                db.session.get(User, team["maria"]),
                subject=subject,
                body="Един пост твърди, че новодошлите получават повече помощи.",
                topic=db.session.get(Topic, "communication"),
                language="bg",
            )
            db.session.execute(delete(OutboxMessage))  # the experts' "new question" mail is not tested here
            db.session.commit()
            return ticket.id

    return ask


@pytest.fixture
def mails(app):
    """Return a function listing the (recipient, subject, body) of the messages in the outbox, oldest first."""

    def read() -> list[tuple[str, str, str]]:
        with app.app_context():
            messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return [(message.recipient, message.subject, message.body) for message in messages]

    return read
