"""Receivers: "Ask an expert" on every lesson."""

from flask import render_template
from markupsafe import Markup


def render_ask_link(sender, course, lesson, **kwargs) -> Markup:
    """Offer the learner a question to the experts about the lesson they are reading."""
    return Markup(render_template("support/_ask_link.html", course=course, lesson=lesson))
