"""Receivers: "Ask an expert" on every lesson; the person's questions in data export and erasure."""

from flask import render_template
from markupsafe import Markup
from sqlalchemy import delete, select, update

from lms.core import markdown, redaction
from lms.core.storage import storage
from lms.extensions import db
from lms.support.models import Attachment, ExpertProfile, FaqEntry, Message, Ticket


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
    """Delete the person's questions and their files; what they wrote as an expert and the FAQ entries made from
    their questions or published by them stay, without a link to them and with their name and address redacted
    wherever they appear (a signature, a hand-over note, a colleague's "thank you, Maria")."""
    name, email = sender.name, sender.email
    own = select(Ticket.id).where(Ticket.requester_id == sender.id).scalar_subquery()
    db.session.execute(update(FaqEntry).where(FaqEntry.ticket_id.in_(own)).values(ticket_id=None))
    for ticket in db.session.scalars(select(Ticket).where(Ticket.requester_id == sender.id)):
        for message in ticket.messages:
            for attachment in message.attachments:
                storage().delete_after_commit(attachment.storage_key)
        db.session.delete(ticket)
    db.session.execute(update(Message).where(Message.author_id == sender.id).values(author_id=None))
    db.session.execute(update(Ticket).where(Ticket.assignee_id == sender.id).values(assignee_id=None))
    db.session.execute(update(FaqEntry).where(FaqEntry.author_id == sender.id).values(author_id=None))
    db.session.execute(delete(ExpertProfile).where(ExpertProfile.user_id == sender.id))
    db.session.flush()
    _redact(name, email)


def _redact(name: str, email: str) -> None:
    """Replace *name* and *email* by markers in every subject, message, file name and FAQ entry that has them."""

    def mentioned(text: str | None) -> bool:
        return redaction.mentions(text, names=[name], emails=[email])

    def forget(text: str, language: str) -> str:
        return redaction.forget(text, name, email, language)

    stream = {"yield_per": 1000}
    subjects = db.session.execute(select(Ticket.id, Ticket.subject, Ticket.language), execution_options=stream)
    for ticket_id, subject, language in [row for row in subjects if mentioned(row.subject)]:
        db.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(subject=forget(subject, language)[:200]))
    bodies = db.session.execute(
        select(Message.id, Message.body, Ticket.language).select_from(Message).join(Message.ticket),
        execution_options=stream,
    )
    for message_id, body, language in [row for row in bodies if mentioned(row.body)]:
        body = forget(body, language)
        db.session.execute(
            update(Message).where(Message.id == message_id).values(body=body, html=markdown.render(body))
        )
    files = db.session.execute(
        select(Attachment.id, Attachment.filename, Ticket.language)
        .select_from(Attachment)
        .join(Message, Attachment.message_id == Message.id)
        .join(Message.ticket),
        execution_options=stream,
    )
    for attachment_id, filename, language in [row for row in files if mentioned(row.filename)]:
        renamed = forget(filename, language)[:200]
        db.session.execute(update(Attachment).where(Attachment.id == attachment_id).values(filename=renamed))
    for entry in db.session.scalars(select(FaqEntry)):
        if mentioned(entry.question) or mentioned(entry.answer):
            entry.question = forget(entry.question, entry.language)[:300]
            entry.answer = forget(entry.answer, entry.language)
            entry.answer_html = markdown.render(entry.answer)
