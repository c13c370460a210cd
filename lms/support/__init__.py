"""Expert support: questions from learners to migration and communication experts, and a public FAQ."""

from flask_babel import lazy_gettext as _l

from lms import signals
from lms.core.plugins import MenuEntry, Plugin, connect, signed_in, with_roles
from lms.support.admin_views import bp
from lms.support.cli import cli
from lms.support.demo import load_demo_support
from lms.support.handlers import erase_person, personal_data, render_ask_link
from lms.support.services import JOBS


def init_app(app):
    """Offer "Ask an expert" on every lesson; take part in data export and erasure."""
    connect(signals.template_hook, render_ask_link, plugin="support", sender="lesson-actions")
    connect(signals.personal_data_requested, personal_data, plugin="support")
    connect(signals.user_erasing, erase_person, plugin="support")


plugin = Plugin(
    name="support",
    blueprint=bp,
    cli=cli,
    init_app=init_app,
    demo=load_demo_support,
    jobs=JOBS,
    menu=(
        MenuEntry(_l("Ask an expert"), "support.index", signed_in, order=30),
        MenuEntry(_l("Frequent questions"), "support.faq", order=31),
        MenuEntry(_l("Experts"), "support.experts", with_roles("admin"), order=93),
        MenuEntry(_l("Topics"), "support.topics", with_roles("admin"), order=94),
    ),
)
