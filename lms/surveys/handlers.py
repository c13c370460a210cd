"""Receivers: invite learners who complete a course, and make the evaluation a certificate requirement."""

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, select, update

from lms import signals
from lms.core import redaction
from lms.core.mail import external_url
from lms.extensions import db
from lms.surveys import exporting, imports, services
from lms.surveys.models import Answer, Draft, Participation, Reminder, Response, Survey


def invite_to_course_survey(sender, user, course_slug, **kwargs) -> None:
    """Invite a learner who completed a course to its evaluation survey (once)."""
    survey = services.course_survey(course_slug)
    if survey is not None:
        services.invite(user, survey)


def evaluation_requirement(sender, user, course_slug, **kwargs) -> list[signals.Requirement] | None:
    """Add "submit the evaluation" to a course's requirements when its survey asks for it."""
    survey = services.course_survey(course_slug)
    if survey is None or not survey.required_for_certificate:
        return None
    participation = db.session.get(Participation, (survey.id, user.id))
    answered = participation is not None and participation.answered
    return [
        signals.Requirement(
            _("Send the evaluation of the course"), answered, external_url("surveys.answer", token=survey.token)
        )
    ]


def render_pending_surveys(sender, user, **kwargs) -> Markup | None:
    """Remind a signed-in learner, on the home page, of the evaluations waiting for them."""
    if not user.is_authenticated:
        return None
    pending = services.pending_for(user)
    if not pending:
        return None
    return Markup(render_template("surveys/_pending.html", surveys=pending, reader_language=str(get_locale())))


def personal_data(sender, **kwargs) -> dict:
    """The surveys the person took part in; answers only where the survey was not anonymous."""
    entries = []
    for participation in db.session.scalars(select(Participation).where(Participation.user_id == sender.id)):
        survey = db.session.get(Survey, participation.survey_id)
        entry = {
            "survey": survey.text("title", sender.language),
            "invited": participation.invited_at is not None,
            "answered": participation.answered,
            "reminded_after_days": sorted(
                db.session.scalars(
                    select(Reminder.day).where(Reminder.survey_id == survey.id, Reminder.user_id == sender.id)
                )
            ),
        }
        if not survey.anonymous:
            entry["answers"] = [
                {
                    "question": answer.question_id,
                    "row": answer.row_code,
                    "option": answer.option_code,
                    "number": answer.number,
                    "text": answer.text,
                }
                for response in db.session.scalars(
                    select(Response).where(Response.survey_id == survey.id, Response.user_id == sender.id)
                )
                for answer in response.answers
            ]
        entries.append(entry)
    return {"surveys": entries}


def erase_person(sender, **kwargs) -> None:
    """Forget that the person took part and was reminded, and their drafts; identified answers stay as anonymous
    ones. Any written answer that names the person or gives their address is redacted; pending uploads that name
    them go, and every export (any might name them)."""
    db.session.execute(delete(Participation).where(Participation.user_id == sender.id))
    db.session.execute(delete(Reminder).where(Reminder.user_id == sender.id))
    db.session.execute(delete(Draft).where(Draft.user_id == sender.id))
    db.session.execute(update(Response).where(Response.user_id == sender.id).values(user_id=None, submitted_at=None))
    written = db.session.scalars(select(Answer).where(Answer.text.is_not(None)).execution_options(yield_per=1000))
    for answer in [
        answer for answer in written if redaction.mentions(answer.text, names=[sender.name], emails=[sender.email])
    ]:
        answer.text = redaction.forget(answer.text, sender.name, sender.email, answer.language)
    imports.forget_uploads(sender.name, sender.email)
    exporting.forget_all()
