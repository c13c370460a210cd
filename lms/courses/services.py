"""The rules of courses: importing content, enrolment, progress, knowledge checks, completion."""

import logging
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import select

from lms.core.time import utcnow
from lms.courses.content import Content, CourseSpec, LessonSpec
from lms.courses.markdown import render
from lms.courses.models import Course, CourseText, Lesson, LessonText
from lms.extensions import db

log = logging.getLogger("lms.courses")

#: Where a course's media files are served; must match the media view's route.
MEDIA_URL = "/courses/{course}/media/{name}"


# --- importing course_content/ -------------------------------------------------------------

@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired_courses: list[str] = field(default_factory=list)
    retired_lessons: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.created)} course(s) created, {len(self.updated)} updated."]
        if self.retired_courses:
            lines.append("Retired courses (no longer in the files): " + ", ".join(self.retired_courses))
        if self.retired_lessons:
            lines.append("Retired lessons (no longer in the files): " + ", ".join(self.retired_lessons))
        return "\n".join(lines)


def import_content(content: Content) -> ImportReport:
    """Create or update every course of *content* by slug, and retire what the files no longer hold."""
    if content.problems:
        raise ValueError("content with problems cannot be imported")
    report = ImportReport()
    existing = {course.slug: course for course in db.session.scalars(select(Course))}
    for spec in content.courses:
        course = existing.get(spec.slug)
        (report.updated if course else report.created).append(spec.slug)
        if course is None:
            course = Course(slug=spec.slug)
            db.session.add(course)
        _update_course(course, spec, report)
    for slug, course in existing.items():
        if slug not in {spec.slug for spec in content.courses} and course.retired_at is None:
            course.retired_at = utcnow()
            report.retired_courses.append(slug)
    db.session.flush()
    log.info("Content imported: %s", report.summary().replace("\n", " "))
    return report


def _update_course(course: Course, spec: CourseSpec, report: ImportReport) -> None:
    course.default_language, course.duration_minutes = spec.default_language, spec.duration_minutes
    course.topics, course.position, course.published = spec.topics, spec.position, spec.published
    course.retired_at, course.imported_at = None, utcnow()
    course.texts = [
        CourseText(language=language, title=text["title"], summary=text["summary"], audience=text["audience"], outcomes=text["outcomes"])
        for language, text in spec.texts.items()
    ]
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for position, lesson_spec in enumerate(spec.lessons, start=1):
        lesson = lessons.pop(lesson_spec.slug, None)
        if lesson is None:
            lesson = Lesson(slug=lesson_spec.slug)
            course.lessons.append(lesson)
        _update_lesson(lesson, lesson_spec, position, spec.slug)
    for lesson in lessons.values():
        if lesson.retired_at is None:
            lesson.retired_at = utcnow()
            report.retired_lessons.append(f"{spec.slug}/{lesson.slug}")


def _update_lesson(lesson: Lesson, spec: LessonSpec, position: int, course_slug: str) -> None:
    def media_url(name: str) -> str:
        return MEDIA_URL.format(course=course_slug, name=quote(name))

    lesson.position, lesson.duration_minutes, lesson.required = position, spec.duration_minutes, spec.required
    lesson.retired_at = None
    lesson.quiz = {"pass_mark": spec.quiz.pass_mark, "questions": spec.quiz.questions} if spec.quiz else None
    lesson.texts = [
        LessonText(language=language, title=title, html=render(tokens, media_url))
        for language, (title, tokens) in spec.texts.items()
    ]
