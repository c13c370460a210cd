"""Demo progress: the demo people at different points of the programme's courses (fixed seed)."""

import random

from sqlalchemy import select

from lms.accounts.models import Role, User, UserRole
from lms.courses import services
from lms.extensions import db

FLAGSHIP = "positive-stories"


def _correct_answers(lesson) -> dict[str, list[str]]:
    return {question["id"]: question["correct"] for question in lesson.quiz["questions"]}


def _take(learner, course, lesson_count: int) -> None:
    enrollment = services.enrol(learner, course)
    for lesson in services.active_lessons(course)[:lesson_count]:
        if lesson.quiz:
            services.submit_check(enrollment, lesson, _correct_answers(lesson), learner.language)
        else:
            services.complete_lesson(enrollment, lesson)


def load_demo_progress() -> None:
    """Take each demo learner some way into the courses, once.

    The personas into several courses, the cohort into the flagship.
    """
    courses = services.catalogue()
    flagship = next((course for course in courses if course.slug == FLAGSHIP), courses[0] if courses else None)
    if flagship is None:
        return
    rng = random.Random(2026)
    learners = db.session.scalars(
        select(User).join(UserRole).where(User.is_demo.is_(True), UserRole.role == str(Role.LEARNER)).order_by(User.id)
    )
    for number, learner in enumerate(learners):
        persona = learner.password_hash is not None
        chosen = courses[: 1 + number % len(courses)] if persona else [flagship]
        for course in chosen:
            if services.enrollment_for(learner, course) is not None:
                continue
            lessons = len(services.active_lessons(course))
            reach = (
                (number * 2 + course.position) % (lessons + 1)
                if persona
                else rng.choice([0, 1, 2, 3, lessons, lessons, lessons, lessons])
            )
            _take(learner, course, reach)
