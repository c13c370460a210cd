"""Receivers: issue certificates when due, and show them where learners look."""

from flask import render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, select

from lms.certificates import services
from lms.certificates.models import Certificate, ReissueRequest
from lms.core import redaction
from lms.core.time import utcnow
from lms.extensions import db


def issue_when_due(sender, user, course_slug, **kwargs) -> None:
    """Issue the course's certificate if every requirement is met now (idempotent)."""
    services.issue_if_due(user, course_slug)


def render_course_certificate(sender, course, enrollment, **kwargs) -> Markup | None:
    """On a course page, point the learner to their certificate of it."""
    certificate = services.current_certificate(current_user, course.slug) if enrollment else None
    if certificate is None or certificate.status != "valid":
        return None
    return Markup(render_template("certificates/_course_sidebar.html", certificate=certificate))


def personal_data(sender, **kwargs) -> dict:
    """The person's certificates."""
    return {
        "certificates": [
            {
                "code": c.code,
                "course": c.course_slug,
                "name": c.learner_name,
                "issued_at": c.issued_at.isoformat(),
                "status": c.status,
            }
            for c in db.session.scalars(select(Certificate).where(Certificate.user_id == sender.id))
        ],
        "certificate_reissue_requests": [
            {
                "certificate": r.certificate.code,
                "requested_name": r.requested_name,
                "requested_at": r.requested_at.isoformat(),
                "status": r.status,
            }
            for r in db.session.scalars(
                select(ReissueRequest).join(ReissueRequest.certificate).where(Certificate.user_id == sender.id)
            )
        ],
    }


def erase_person(sender, **kwargs) -> None:
    """Remove the person's name from their certificates; verifying one then answers that it was revoked, and when.
    A reason for revoking a certificate that names the person or gives their address is redacted too, and their
    requests to re-issue a certificate under another name are deleted, and so are the stored PDFs with the name."""
    mine = select(Certificate.id).where(Certificate.user_id == sender.id)
    db.session.execute(delete(ReissueRequest).where(ReissueRequest.certificate_id.in_(mine)))
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == sender.id)).all()
    for certificate in certificates:
        certificate.learner_name, certificate.organisation_name, certificate.user_id = "—", None, None
        if certificate.revoked_at is None:
            certificate.revoked_at, certificate.revoked_reason = utcnow(), "Erased at the person's request."
    db.session.flush()  # the rows are locked first: a job storing PDFs meanwhile waits, then sees the new name
    for certificate in certificates:
        services.forget_files(certificate)
    reasons = db.session.scalars(select(Certificate).where(Certificate.revoked_reason.is_not(None)))
    for certificate in reasons:
        certificate.revoked_reason = redaction.forget(certificate.revoked_reason, sender.name, sender.email)
