"""Dashboards: feedback and progress aggregated per country for trainers, with Plotly charts."""

from flask_babel import lazy_gettext as _l

from lms.core.plugins import MenuEntry, Plugin, with_roles
from lms.dashboards.views import bp

plugin = Plugin(
    name="dashboards",
    blueprint=bp,
    requires=("courses", "surveys", "certificates"),
    menu=(MenuEntry(_l("Dashboards"), "dashboards.index", with_roles("admin", "trainer"), order=65),),
)
