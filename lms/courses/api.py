"""What other packages may read of courses: read-only, by course slug."""

from dataclasses import dataclass

from sqlalchemy import false, func, select

from lms.accounts.models import Organisation, User
from lms.courses import services
from lms.courses.models import Course, Enrollment
from lms.extensions import db


@dataclass(frozen=True)
class CourseInfo:
    slug: str
    default_language: str
    duration_minutes: int
    #: language -> title
    titles: dict[str, str]

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles[self.default_language]


def course_info(slug: str) -> CourseInfo | None:
    """Return the title in each language and the duration of the course *slug*."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        return None
    return CourseInfo(
        course.slug, course.default_language, course.duration_minutes, {t.language: t.title for t in course.texts}
    )


def course_choices(language: str) -> list[tuple[str, str]]:
    """Return (slug, title) of every offered course, in *language* where translated."""
    return [(course.slug, course.text(language).title) for course in services.catalogue()]


def completed_at(user, slug: str):
    """Return when *user* completed the course *slug* (lessons and checks), or None."""
    return db.session.scalar(
        select(Enrollment.completed_at).join(Course).where(Enrollment.user_id == user.id, Course.slug == slug)
    )


def requirements_met(user, slug: str) -> bool:
    """Tell whether *user* has done everything the course *slug* requires, other packages' requirements included."""
    enrollment = db.session.scalar(
        select(Enrollment).join(Course).where(Enrollment.user_id == user.id, Course.slug == slug)
    )
    return (
        enrollment is not None
        and enrollment.completed_at is not None
        and all(requirement.met for requirement in services.requirements(enrollment))
    )


def progress_by_organisation(slug: str, countries: set[str] | None, start=None, end=None):
    """Return (country, organisation id, organisation, enrolled, started, completed) rows of the course *slug*,
    of the learners who enrolled in the period from *start* to before *end* (when given)."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    return services.progress_report(course, countries, start, end) if course else []


def enrolled_between(slug: str, start=None, end=None):
    """The ids of the learners who enrolled in the course *slug* in a period, as a subquery: a funnel's cohort."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    return services.enrolled_between(course, start, end) if course else select(Enrollment.user_id).where(false())


def completions_by_country(slug: str, countries: set[str] | None, start=None, end=None) -> dict[str, int]:
    """Count the learners who completed the course *slug* per country of their organisation, within a period."""
    query = (
        select(Organisation.country, func.count())
        .select_from(Enrollment)
        .join(Course)
        .join(User, User.id == Enrollment.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Course.slug == slug, Enrollment.completed_at.isnot(None))
        .group_by(Organisation.country)
    )
    if countries is not None:
        query = query.where(Organisation.country.in_(countries))
    if start:
        query = query.where(Enrollment.completed_at >= start)
    if end:
        query = query.where(Enrollment.completed_at < end)
    return dict(db.session.execute(query).all())


def completed_learners(slug: str) -> list[tuple[int, str | None]]:
    """Return (user id, country) of the learners who completed the course *slug*."""
    query = (
        select(User.id, Organisation.country)
        .select_from(Enrollment)
        .join(Course)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Course.slug == slug, Enrollment.completed_at.isnot(None))
        .order_by(User.id)
    )
    return list(db.session.execute(query).all())
