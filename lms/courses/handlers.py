"""Receivers of the platform's signals: what courses adds to other pages."""

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

from lms.courses import services


def render_home_learning(sender, user, **kwargs) -> Markup | None:
    """Show signed-in learners the courses they are taking, on the home page."""
    if not user.is_authenticated:
        return None
    learning = [(enrollment, progress) for enrollment, progress in services.my_learning(user) if not progress.completed]
    return Markup(render_template("courses/_home.html", learning=learning[:3], reader_language=str(get_locale())))
