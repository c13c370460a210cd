"""The rules of courses: importing content, enrolment, progress, knowledge checks, completion."""

import logging
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select

from lms import signals
from lms.accounts.access import country_scope
from lms.accounts.models import Organisation, User
from lms.core.time import utcnow
from lms.courses.content import Content, CourseSpec, LessonSpec
from lms.courses.markdown import render
from lms.courses.models import CheckAttempt, Course, CourseText, Enrollment, Lesson, LessonProgress, LessonText, Topic
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
    topics = {topic.slug: topic for topic in db.session.scalars(select(Topic))}
    for slug, labels in content.topics.items():
        topics.setdefault(slug, db.session.merge(Topic(slug=slug, labels=labels))).labels = labels
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
        CourseText(
            language=language,
            title=text["title"],
            summary=text["summary"],
            audience=text["audience"],
            outcomes=text["outcomes"],
        )
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


# --- the catalogue ---------------------------------------------------------------------------


def _offered():
    return select(Course).where(Course.published.is_(True), Course.retired_at.is_(None))


def catalogue(text: str = "", language: str = "", topic: str = "") -> list[Course]:
    """Return the published courses matching a title or summary fragment, a language and a topic."""
    query = _offered().order_by(Course.position, Course.slug)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            Course.id.in_(
                select(CourseText.course_id).where(
                    or_(func.lower(CourseText.title).like(pattern), func.lower(CourseText.summary).like(pattern))
                )
            )
        )
    if language:
        query = query.where(Course.id.in_(select(CourseText.course_id).where(CourseText.language == language)))
    courses = list(db.session.scalars(query))
    return [course for course in courses if course.topics and topic in course.topics] if topic else courses


def offered_course(slug: str) -> Course | None:
    """Return the published course called *slug*, or None."""
    return db.session.scalar(_offered().where(Course.slug == slug))


def active_lessons(course: Course) -> list[Lesson]:
    return [lesson for lesson in course.lessons if lesson.retired_at is None]


def next_lesson(course: Course, lesson: Lesson) -> Lesson | None:
    lessons = active_lessons(course)
    position = lessons.index(lesson)
    return lessons[position + 1] if position + 1 < len(lessons) else None


def topic_labels(language: str) -> dict[str, str]:
    """Return every topic's name in *language*, or in English."""
    return {topic.slug: topic.labels.get(language) or topic.labels["en"] for topic in db.session.scalars(select(Topic))}


def lesson_titles(lessons: list[Lesson], language: str, default: str) -> dict[int, str]:
    """Return each lesson's title in *language*, or in the course's *default* language, in one query."""
    rows = db.session.execute(
        select(LessonText.lesson_id, LessonText.language, LessonText.title).where(
            LessonText.lesson_id.in_([lesson.id for lesson in lessons]), LessonText.language.in_({language, default})
        )
    )
    titles: dict[int, str] = {}
    for lesson_id, text_language, title in rows:
        if text_language == language or lesson_id not in titles:
            titles[lesson_id] = title
    return titles


def lesson_text(lesson: Lesson, language: str, default: str) -> tuple[LessonText, bool]:
    """Return the lesson in *language*, else in *default*, and whether it fell back."""
    by_language = {text.language: text for text in lesson.texts}
    if language in by_language:
        return by_language[language], False
    return by_language[default], True


# --- enrolment and progress ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    completed: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def enrollment_for(user, course: Course) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id))


def enrol(user, course: Course, enrolled_by=None) -> Enrollment:
    """Enrol *user* in *course*, or return the enrolment they have."""
    enrollment = enrollment_for(user, course)
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, course=course, enrolled_by_id=enrolled_by.id if enrolled_by else None)
        db.session.add(enrollment)
        db.session.flush()
        log.info("User %s enrolled in %s by %s", user.id, course.slug, enrolled_by.id if enrolled_by else user.id)
    return enrollment


def _required_lessons(course_ids):
    return (
        select(Lesson.course_id, func.count().label("total"))
        .where(Lesson.course_id.in_(course_ids), Lesson.required.is_(True), Lesson.retired_at.is_(None))
        .group_by(Lesson.course_id)
    )


def progress_by_course(user, courses: list[Course]) -> dict[int, Progress]:
    """Return the user's progress in each of *courses* they are enrolled in, in two queries."""
    course_ids = [course.id for course in courses]
    totals = dict(db.session.execute(_required_lessons(course_ids)).all())
    done = (
        select(Enrollment.course_id, Enrollment.completed_at, func.count(Lesson.id))
        .outerjoin(LessonProgress, LessonProgress.enrollment_id == Enrollment.id)
        .outerjoin(
            Lesson, and_(Lesson.id == LessonProgress.lesson_id, Lesson.required.is_(True), Lesson.retired_at.is_(None))
        )
        .where(Enrollment.user_id == user.id, Enrollment.course_id.in_(course_ids))
        .group_by(Enrollment.course_id, Enrollment.completed_at)
    )
    return {
        course_id: Progress(count, totals.get(course_id, 0), completed_at is not None)
        for course_id, completed_at, count in db.session.execute(done)
    }


def done_lesson_ids(enrollment: Enrollment) -> set[int]:
    return {row.lesson_id for row in enrollment.progress}


def resume_lesson(enrollment: Enrollment) -> Lesson:
    """Return where the learner goes on: the last lesson opened, else the first not done."""
    lessons = active_lessons(enrollment.course)
    last = next((lesson for lesson in lessons if lesson.id == enrollment.last_lesson_id), None)
    if last is not None:
        return last
    done = done_lesson_ids(enrollment)
    return next((lesson for lesson in lessons if lesson.id not in done), lessons[0])


def open_lesson(enrollment: Enrollment, lesson: Lesson) -> bool:
    """Remember *lesson* as the place to resume; return whether that changed."""
    changed = enrollment.last_lesson_id != lesson.id
    enrollment.last_lesson_id = lesson.id
    return changed


def complete_lesson(enrollment: Enrollment, lesson: Lesson) -> bool:
    """Mark *lesson* done (once), announce it, and complete the course when it was the last."""
    if lesson.id in done_lesson_ids(enrollment):
        return False
    enrollment.progress.append(LessonProgress(lesson_id=lesson.id))
    db.session.flush()
    signals.lesson_completed.send(
        enrollment, user=enrollment.user, course_slug=enrollment.course.slug, lesson_slug=lesson.slug
    )
    _complete_if_done(enrollment)
    return True


def _passed_lesson_ids(enrollment: Enrollment) -> set[int]:
    return set(
        db.session.scalars(
            select(CheckAttempt.lesson_id).where(
                CheckAttempt.enrollment_id == enrollment.id, CheckAttempt.passed.is_(True)
            )
        )
    )


def lessons_and_checks_done(enrollment: Enrollment) -> bool:
    """Tell whether every required lesson is done and every check of the course passed."""
    lessons = active_lessons(enrollment.course)
    done, passed = done_lesson_ids(enrollment), _passed_lesson_ids(enrollment)
    return all(lesson.id in done for lesson in lessons if lesson.required) and all(
        lesson.id in passed for lesson in lessons if lesson.quiz
    )


def _complete_if_done(enrollment: Enrollment) -> None:
    if enrollment.completed_at is None and lessons_and_checks_done(enrollment):
        enrollment.completed_at = utcnow()
        db.session.flush()
        log.info("User %s completed %s", enrollment.user_id, enrollment.course.slug)
        signals.course_completed.send(enrollment, user=enrollment.user, course_slug=enrollment.course.slug)


def requirements(enrollment: Enrollment) -> list[signals.Requirement]:
    """List what completing the course takes: its lessons and checks, then what other packages add."""
    lessons = active_lessons(enrollment.course)
    done, passed = done_lesson_ids(enrollment), _passed_lesson_ids(enrollment)
    required = [lesson for lesson in lessons if lesson.required]
    checks = [lesson for lesson in lessons if lesson.quiz]
    own = [
        signals.Requirement(
            ngettext("Do the %(num)d required lesson", "Do the %(num)d required lessons", len(required)),
            all(lesson.id in done for lesson in required),
        )
    ]
    if checks:
        own.append(
            signals.Requirement(
                ngettext("Pass the %(num)d knowledge check", "Pass the %(num)d knowledge checks", len(checks)),
                all(lesson.id in passed for lesson in checks),
            )
        )
    answers = signals.completion_requirements.send(enrollment, user=enrollment.user, course_slug=enrollment.course.slug)
    return own + [requirement for _receiver, found in answers for requirement in (found or [])]


# --- knowledge checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    text: str
    right: bool
    #: (option label, feedback, whether the option is correct) for each option the learner chose
    chosen: list[tuple[str, str, bool]]


def _question_text(question: dict, language: str, default: str) -> dict:
    return question["texts"].get(language) or question["texts"][default]


def grade(lesson: Lesson, answers: dict[str, list[str]], language: str) -> tuple[int, list[QuestionResult]]:
    """Return the score in percent for *answers* (question id -> option ids) and feedback per question."""
    default = lesson.course.default_language
    results = []
    for question in lesson.quiz["questions"]:
        chosen = [option for option in question["options"] if option in answers.get(question["id"], [])]
        texts = _question_text(question, language, default)
        results.append(
            QuestionResult(
                text=texts["text"],
                right=set(chosen) == set(question["correct"]),
                chosen=[
                    (texts["options"][option], texts["feedback"][option], option in question["correct"])
                    for option in chosen
                ],
            )
        )
    score = round(100 * sum(result.right for result in results) / len(results))
    return score, results


def submit_check(enrollment: Enrollment, lesson: Lesson, answers: dict[str, list[str]], language: str):
    """Record an attempt at *lesson*'s check; passing it completes the lesson. Return attempt and feedback."""
    score, results = grade(lesson, answers, language)
    attempt = CheckAttempt(
        enrollment_id=enrollment.id,
        lesson_id=lesson.id,
        answers=answers,
        score=score,
        passed=score >= lesson.quiz["pass_mark"],
    )
    db.session.add(attempt)
    db.session.flush()
    if attempt.passed:
        if not complete_lesson(enrollment, lesson):
            _complete_if_done(enrollment)
    return attempt, results


def attempts_for(enrollment: Enrollment, lesson: Lesson) -> list[CheckAttempt]:
    return list(
        db.session.scalars(
            select(CheckAttempt)
            .where(CheckAttempt.enrollment_id == enrollment.id, CheckAttempt.lesson_id == lesson.id)
            .order_by(CheckAttempt.id)
        )
    )


# --- trainers: enrolling people and following progress -------------------------------------------


def people_to_enrol(trainer, organisation: Organisation | None, emails: list[str]) -> tuple[list[User], list[str]]:
    """Return the active people of *organisation* and of *emails* in the trainer's scope, and addresses not found."""
    countries = country_scope(trainer)
    query = select(User).outerjoin(User.organisation).where(User.active.is_(True))
    if countries is not None:
        query = query.where(Organisation.country.in_(countries))
    wanted = {email.strip().lower() for email in emails if email.strip()}
    conditions = []
    if organisation is not None:
        conditions.append(User.organisation_id == organisation.id)
    if wanted:
        conditions.append(User.email.in_(wanted))
    people = list(db.session.scalars(query.where(or_(*conditions)))) if conditions else []
    return people, sorted(wanted - {person.email for person in people})


def enrol_people(course: Course, people: list[User], enrolled_by: User) -> int:
    """Enrol each of *people* in *course*; return how many were not enrolled before."""
    already = set(db.session.scalars(select(Enrollment.user_id).where(Enrollment.course_id == course.id)))
    for person in people:
        if person.id not in already:
            enrol(person, course, enrolled_by)
    return len({person.id for person in people} - already)


@dataclass(frozen=True)
class ReportRow:
    country: str | None
    organisation_id: int | None
    organisation: str | None
    enrolled: int
    started: int
    completed: int


def enrolled_between(course: Course, start: date | None, end: date | None):
    """The ids of the learners who enrolled in *course* from *start* to before *end*, as a subquery."""
    query = select(Enrollment.user_id).where(Enrollment.course_id == course.id)
    if start:
        query = query.where(Enrollment.enrolled_at >= start)
    if end:
        query = query.where(Enrollment.enrolled_at < end)
    return query


def progress_report(
    course: Course, countries: set[str] | None, start: date | None = None, end: date | None = None
) -> list[ReportRow]:
    """Count enrolled, started and completed learners of *course* per organisation, of those who enrolled
    in the period from *start* to before *end* (when given)."""
    started = select(LessonProgress.enrollment_id).distinct().subquery()
    query = (
        select(
            Organisation.country,
            Organisation.id,
            Organisation.name,
            func.count(Enrollment.id),
            func.count(started.c.enrollment_id),
            func.count(Enrollment.completed_at),
        )
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(started, started.c.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course.id)
        .group_by(Organisation.country, Organisation.id, Organisation.name)
        .order_by(Organisation.country, Organisation.name, Organisation.id)
    )
    if countries is not None:
        query = query.where(Organisation.country.in_(countries))
    if start:
        query = query.where(Enrollment.enrolled_at >= start)
    if end:
        query = query.where(Enrollment.enrolled_at < end)
    return [ReportRow(*row) for row in db.session.execute(query)]


def my_learning(user) -> list[tuple[Enrollment, Progress]]:
    """Return the user's enrolments with their progress, the most recent first."""
    enrollments = list(
        db.session.scalars(
            select(Enrollment).where(Enrollment.user_id == user.id).order_by(Enrollment.enrolled_at.desc())
        )
    )
    progress = progress_by_course(user, [enrollment.course for enrollment in enrollments])
    return [(enrollment, progress[enrollment.course_id]) for enrollment in enrollments]
