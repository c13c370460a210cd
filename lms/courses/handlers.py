"""Receivers of the platform's signals: what courses adds to other pages."""

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import delete, select

from lms.courses import services
from lms.courses.models import CheckAttempt, Enrollment
from lms.extensions import db


def render_home_learning(sender, user, **kwargs) -> Markup | None:
    """Show signed-in learners the courses they are taking, on the home page."""
    if not user.is_authenticated:
        return None
    learning = [(enrollment, progress) for enrollment, progress in services.my_learning(user) if not progress.completed]
    return Markup(render_template("courses/_home.html", learning=learning[:3], reader_language=str(get_locale())))


def personal_data(sender, **kwargs) -> dict:
    """The person's enrolments, progress and knowledge-check attempts."""
    enrollments = db.session.scalars(select(Enrollment).where(Enrollment.user_id == sender.id))
    return {
        "courses": [
            {
                "course": enrollment.course.slug,
                "enrolled_at": enrollment.enrolled_at.isoformat(),
                "completed_at": enrollment.completed_at.isoformat() if enrollment.completed_at else None,
                "lessons_done": len(enrollment.progress),
                "check_attempts": [
                    {
                        "lesson_id": attempt.lesson_id,
                        "score": attempt.score,
                        "passed": attempt.passed,
                        "at": attempt.created_at.isoformat(),
                    }
                    for attempt in db.session.scalars(
                        select(CheckAttempt).where(CheckAttempt.enrollment_id == enrollment.id)
                    )
                ],
            }
            for enrollment in enrollments
        ]
    }


def erase_person(sender, **kwargs) -> None:
    """Delete the person's enrolments; their progress and attempts go with them (foreign keys cascade)."""
    db.session.execute(delete(Enrollment).where(Enrollment.user_id == sender.id))
