"""What other packages may read of courses: read-only, by course slug."""

from dataclasses import dataclass

from sqlalchemy import select

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
    return CourseInfo(course.slug, course.default_language, course.duration_minutes, {t.language: t.title for t in course.texts})


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
    enrollment = db.session.scalar(select(Enrollment).join(Course).where(Enrollment.user_id == user.id, Course.slug == slug))
    return enrollment is not None and enrollment.completed_at is not None and all(
        requirement.met for requirement in services.requirements(enrollment)
    )
