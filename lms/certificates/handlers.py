"""Receivers: issue certificates when due, and show them where learners look."""

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from lms.certificates import services


def issue_when_due(sender, user, course_slug, **kwargs) -> None:
    """Issue the course's certificate if every requirement is met now (idempotent)."""
    services.issue_if_due(user, course_slug)


def render_course_certificate(sender, course, enrollment, **kwargs) -> Markup | None:
    """On a course page, point the learner to their certificate of it."""
    certificate = services.current_certificate(current_user, course.slug) if enrollment else None
    if certificate is None or certificate.status != "valid":
        return None
    return Markup(render_template("certificates/_course_sidebar.html", certificate=certificate))
