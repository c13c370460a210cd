"""Demo data for support: the experts' topics and languages, and one answered question in the FAQ."""

from sqlalchemy import select

from lms.accounts.services import user_by_email
from lms.extensions import db
from lms.support import services
from lms.support.models import ExpertProfile, Ticket, Topic

EXPERTS = {
    "expert@clarinet.example": (["migration-law", "integration"], ["en", "sl", "de", "it"]),
    "expert.media@clarinet.example": (["communication", "data"], ["en", "el", "bg", "ro", "hu"]),
}


def load_demo_support() -> None:
    """Give the demo experts their topics and languages, and answer one demo question, once."""
    for email, (topics, languages) in EXPERTS.items():
        expert = user_by_email(email)
        if expert is not None and db.session.get(ExpertProfile, expert.id) is None:
            db.session.add(ExpertProfile(user_id=expert.id, topics=topics, languages=languages))
    db.session.flush()
    learner, expert = user_by_email("maria.ivanova@burgas.example"), user_by_email("expert.media@clarinet.example")
    topic = db.session.get(Topic, "communication")
    if learner is None or expert is None or topic is None or db.session.scalar(select(Ticket.id).limit(1)):
        return
    ticket = services.ask(
        learner,
        subject="How do we answer a viral post that says newcomers get higher benefits?",
        body="A post in our town's Facebook group claims that newcomers receive more social benefits than pensioners. "
        "It has 400 shares. Should the municipality answer, and how?",
        topic=topic,
        language="en",
    )
    services.take(ticket, expert)
    services.reply(
        ticket,
        expert,
        "Answer once, calmly, on the municipality's own page, not under the post. Lead with the fact "
        "(what the rules really say, with the source), name the myth only once, and end with what residents can do "
        "if they have questions. Ask the social services department to check the figures before you publish.",
    )
    services.close(ticket, learner, helpful=True)
    services.publish_faq(
        ticket,
        expert,
        "How should a municipality answer a viral post with false claims about benefits?",
        ticket.messages[-1].body,
    )
