"""What other packages may read of certificates: counts, never the certificates themselves."""

from sqlalchemy import func, select

from lms.accounts.models import Organisation, User
from lms.certificates.models import Certificate
from lms.extensions import db


def certified_by_organisation(course_slug: str, countries: set[str] | None, learners=None) -> dict[int | None, int]:
    """Count current, unrevoked certificates of a course per learner's organisation (id), of *learners* (a
    subquery of user ids) when given. The organisation is the learner's now, as in the rest of the funnel."""
    query = (
        select(User.organisation_id, func.count())
        .select_from(Certificate)
        .join(User, User.id == Certificate.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(
            Certificate.course_slug == course_slug, Certificate.replaced_at.is_(None), Certificate.revoked_at.is_(None)
        )
        .group_by(User.organisation_id)
    )
    if countries is not None:
        query = query.where(Organisation.country.in_(countries))
    if learners is not None:
        query = query.where(Certificate.user_id.in_(learners))
    return dict(db.session.execute(query).all())
