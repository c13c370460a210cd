"""Dashboards: feedback and progress aggregated per country for trainers, with Plotly charts."""

from flask_babel import lazy_gettext as _l

from lms.core.plugins import MenuEntry, Plugin
from lms.dashboards.views import bp


def _manager(user) -> bool:
    return user.is_authenticated and user.has_role("admin", "trainer")


plugin = Plugin(
    name="dashboards",
    blueprint=bp,
    requires=("courses", "surveys", "certificates"),
    menu=(MenuEntry(_l("Dashboards"), "dashboards.index", _manager, order=65),),
)
