"""Courses: the catalogue, enrolment, the lesson player, progress, knowledge checks, completion."""

from flask_babel import lazy_gettext as _l

from lms import signals
from lms.core.plugins import MenuEntry, Plugin, connect, signed_in
from lms.courses.cli import cli
from lms.courses.demo import load_demo_progress
from lms.courses.handlers import erase_person, personal_data, render_home_learning
from lms.courses.views import bp


def init_app(app):
    """Show learners their courses on the home page; take part in data export and erasure."""
    connect(signals.template_hook, render_home_learning, plugin="courses", sender="home")
    connect(signals.personal_data_requested, personal_data, plugin="courses")
    connect(signals.user_erasing, erase_person, plugin="courses")


plugin = Plugin(
    name="courses",
    blueprint=bp,
    cli=cli,
    init_app=init_app,
    demo=load_demo_progress,
    menu=(
        MenuEntry(_l("Courses"), "courses.catalogue", order=10),
        MenuEntry(_l("My learning"), "courses.mine", signed_in, order=11),
    ),
)
