"""Receivers: invite learners who complete a course, and make the evaluation a certificate requirement."""

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from lms import signals
from lms.core.mail import external_url
from lms.extensions import db
from lms.surveys import services
from lms.surveys.models import Participation


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
    return [signals.Requirement(_("Send the evaluation of the course"), answered, external_url("surveys.answer", token=survey.token))]


def render_pending_surveys(sender, user, **kwargs) -> Markup | None:
    """Remind a signed-in learner, on the home page, of the evaluations waiting for them."""
    if not user.is_authenticated:
        return None
    pending = services.pending_for(user)
    if not pending:
        return None
    return Markup(render_template("surveys/_pending.html", surveys=pending, reader_language=str(get_locale())))
