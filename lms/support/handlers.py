"""Receivers: "Ask an expert" on every lesson; the person's questions in data export and erasure."""

from flask import render_template
from markupsafe import Markup
from sqlalchemy import delete, select, update

from lms.core.storage import storage
from lms.extensions import db
from lms.support.models import ExpertProfile, Message, Ticket


def render_ask_link(sender, course, lesson, **kwargs) -> Markup:
    """Offer the learner a question to the experts about the lesson they are reading."""
    return Markup(render_template("support/_ask_link.html", course=course, lesson=lesson))


def personal_data(sender, **kwargs) -> dict:
    """The person's questions with their threads (internal notes left out)."""
    tickets = db.session.scalars(select(Ticket).where(Ticket.requester_id == sender.id))
    return {
        "questions": [
            {
                "subject": ticket.subject,
                "status": ticket.status,
                "asked_at": ticket.created_at.isoformat(),
                "messages": [
                    {
                        "from_you": message.author_id == sender.id,
                        "text": message.body,
                        "at": message.created_at.isoformat(),
                    }
                    for message in ticket.messages
                    if not message.internal
                ],
            }
            for ticket in tickets
        ]
    }


def erase_person(sender, **kwargs) -> None:
    """Delete the person's questions and files; messages they wrote as an expert stay, without their name."""
    for ticket in db.session.scalars(select(Ticket).where(Ticket.requester_id == sender.id)):
        for message in ticket.messages:
            for attachment in message.attachments:
                storage().delete(attachment.storage_key)
        db.session.delete(ticket)
    db.session.execute(update(Message).where(Message.author_id == sender.id).values(author_id=None))
    db.session.execute(update(Ticket).where(Ticket.assignee_id == sender.id).values(assignee_id=None))
    db.session.execute(delete(ExpertProfile).where(ExpertProfile.user_id == sender.id))
