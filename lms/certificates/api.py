"""What other packages may read of certificates: counts, never the certificates themselves."""

from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.extensions import db


def certified_by_organisation(course_slug: str, countries: set[str] | None) -> dict[tuple[str | None, str | None], int]:
    """Count current, unrevoked certificates of a course per (country, organisation)."""
    query = (
        select(Certificate.country, Certificate.organisation_name, func.count())
        .where(
            Certificate.course_slug == course_slug, Certificate.replaced_at.is_(None), Certificate.revoked_at.is_(None)
        )
        .group_by(Certificate.country, Certificate.organisation_name)
    )
    if countries is not None:
        query = query.where(Certificate.country.in_(countries))
    return {(country, organisation): count for country, organisation, count in db.session.execute(query)}
