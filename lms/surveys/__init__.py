"""Surveys: evaluation questionnaires that replace Google Forms, tied to courses, anonymous when promised."""

from flask_babel import lazy_gettext as _l

from lms import signals
from lms.core.plugins import MenuEntry, Plugin, connect, with_roles
from lms.surveys import exporting, imports, reminders
from lms.surveys.builder_views import bp
from lms.surveys.cli import cli
from lms.surveys.demo import load_demo_survey
from lms.surveys.handlers import (
    erase_person,
    evaluation_requirement,
    invite_to_course_survey,
    personal_data,
    render_pending_surveys,
)


def init_app(app):
    """Invite learners to evaluate completed courses; require the evaluation where a survey asks for it."""
    connect(signals.course_completed, invite_to_course_survey, plugin="surveys")
    connect(signals.completion_requirements, evaluation_requirement, plugin="surveys")
    connect(signals.template_hook, render_pending_surveys, plugin="surveys", sender="home")
    connect(signals.personal_data_requested, personal_data, plugin="surveys")
    connect(signals.user_erasing, erase_person, plugin="surveys")


plugin = Plugin(
    name="surveys",
    blueprint=bp,
    cli=cli,
    init_app=init_app,
    demo=load_demo_survey,
    jobs=(*exporting.JOBS, *imports.JOBS, *reminders.JOBS),
    requires=("courses",),
    menu=(MenuEntry(_l("Surveys"), "surveys.index", with_roles("admin", "trainer"), order=60),),
)
