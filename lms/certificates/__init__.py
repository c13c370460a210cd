"""Certificates: issued on completion, PDFs rendered once by a job, public verification, revocation."""

from flask_babel import lazy_gettext as _l

from lms import signals
from lms.certificates import services
from lms.certificates.handlers import erase_person, issue_when_due, personal_data, render_course_certificate
from lms.certificates.views import bp
from lms.core.jobs import JobKind
from lms.core.plugins import MenuEntry, Plugin, connect, signed_in, with_roles


def init_app(app):
    """Issue certificates when courses are completed or other requirements are met."""
    connect(signals.course_completed, issue_when_due, plugin="certificates")
    connect(signals.course_requirements_changed, issue_when_due, plugin="certificates")
    connect(signals.template_hook, render_course_certificate, plugin="certificates", sender="course-sidebar")
    connect(signals.personal_data_requested, personal_data, plugin="certificates")
    connect(signals.user_erasing, erase_person, plugin="certificates")


plugin = Plugin(
    name="certificates",
    blueprint=bp,
    init_app=init_app,
    requires=("courses",),
    jobs=(JobKind(services.RENDER_JOB, _l("Render and store the PDFs of a certificate"), services.render_pdfs),),
    menu=(
        MenuEntry(_l("My certificates"), "certificates.mine", signed_in, order=20),
        MenuEntry(_l("Certificates"), "certificates.manage", with_roles("admin", "trainer"), order=70),
    ),
)
