"""Taking a course: catalogue, enrolment, the lesson player, knowledge checks, completion."""

import re

import pytest
from sqlalchemy import select

from lms import signals
from lms.courses.models import CheckAttempt, Enrollment
from lms.extensions import db

RIGHT = {"q0": "b", "q1": ["a", "c"]}
WRONG = {"q0": "a", "q1": ["b"]}


@pytest.fixture
def announced():
    """Record what courses announce: (signal name, course, lesson) tuples."""
    heard = []

    def on_lesson(sender, user, course_slug, lesson_slug, **kwargs):
        heard.append(("lesson_completed", course_slug, lesson_slug))

    def on_course(sender, user, course_slug, **kwargs):
        heard.append(("course_completed", course_slug, user.email))

    with signals.lesson_completed.connected_to(on_lesson), signals.course_completed.connected_to(on_course):
        yield heard


def test_the_catalogue_filters_by_search_language_and_topic(client, course):
    assert "Local voices" in client.get("/courses/").get_data(as_text=True)
    assert "Local voices" in client.get("/courses/?q=short+course").get_data(as_text=True)
    assert "Local voices" in client.get("/courses/?language=el&topic=storytelling").get_data(as_text=True)
    assert "No course matches your search." in client.get("/courses/?language=hu").get_data(as_text=True)
    assert "No course matches your search." in client.get("/courses/?topic=campaigns").get_data(as_text=True)


def test_the_course_page_shows_the_outline_in_the_readers_language(client, course):
    greek = client.get("/courses/local-voices?lang=el").get_data(as_text=True)
    romanian = client.get("/courses/local-voices?lang=ro").get_data(as_text=True)

    assert "Τοπικές φωνές" in greek and "Πρώτα βήματα" in greek
    assert "Local voices" in romanian and 'lang="en"' in romanian
    assert re.search(r'<p class="notice">[^<]*English', romanian)


def test_a_learner_enrols_takes_the_lessons_passes_the_check_and_completes(app, client, learner, course, announced):
    enrolled = client.submit("/courses/local-voices/enrol")
    done = client.submit("/courses/local-voices/lessons/first-steps/done")
    failed = client.submit("/courses/local-voices/lessons/second-steps/check", WRONG)
    passed = client.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)

    assert enrolled.headers["Location"] == "/courses/local-voices/lessons/first-steps"
    assert done.headers["Location"] == "/courses/local-voices/lessons/second-steps"
    assert "Your score: 0%" in failed.get_data(as_text=True)
    assert "Numbers help, but people carry a story." in failed.get_data(as_text=True)
    assert "You passed the knowledge check." in passed.get_data(as_text=True)
    assert announced == [
        ("lesson_completed", "local-voices", "first-steps"),
        ("lesson_completed", "local-voices", "second-steps"),
        ("course_completed", "local-voices", "spela@example.si"),
    ]
    assert "You completed this course on" in client.get("/courses/local-voices").get_data(as_text=True)
    with app.app_context():
        assert [attempt.passed for attempt in db.session.scalars(select(CheckAttempt))] == [False, True]


def test_completion_is_announced_once(client, learner, course, announced):
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/lessons/first-steps/done")
    client.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)
    client.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)
    client.submit("/courses/local-voices/lessons/first-steps/done")

    assert [name for name, *_ in announced].count("course_completed") == 1


def test_a_passed_check_alone_does_not_complete_the_course(client, learner, course, announced):
    client.submit("/courses/local-voices/enrol")

    client.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)

    assert [name for name, *_ in announced] == ["lesson_completed"]
    assert "1 of 2 lessons done" in client.get("/courses/local-voices").get_data(as_text=True)


def test_unanswered_questions_are_explained_beside_them(client, learner, course):
    client.submit("/courses/local-voices/enrol")

    response = client.submit("/courses/local-voices/lessons/second-steps/check", {"q1": ["a"]})

    assert response.status_code == 422
    assert 'id="q0-error">Choose an answer.' in response.get_data(as_text=True)


def test_the_learner_resumes_where_they_left_off(client, learner, course):
    client.submit("/courses/local-voices/enrol")
    client.get("/courses/local-voices/lessons/second-steps")

    assert (
        client.get("/courses/local-voices/continue").headers["Location"] == "/courses/local-voices/lessons/second-steps"
    )


def test_a_lesson_missing_in_the_readers_language_says_so(client, learner, course):
    client.submit("/courses/local-voices/enrol")

    html = client.get("/courses/local-voices/lessons/second-steps?lang=el").get_data(as_text=True)

    assert '<article class="lesson" lang="en">' in html
    assert "Second steps" in html
    assert re.search(r'<p class="notice" lang="el">[^<]*English', html)


def test_lessons_are_for_enrolled_learners(client, learner, course):
    anonymous = client.application.test_client().get("/courses/local-voices/lessons/first-steps")
    not_enrolled = client.get("/courses/local-voices/lessons/first-steps")
    forged = client.submit("/courses/local-voices/lessons/first-steps/done")

    assert anonymous.headers["Location"].startswith("/accounts/sign-in")
    assert not_enrolled.headers["Location"] == "/courses/local-voices"
    assert forged.status_code == 403


def test_unknown_courses_and_lessons_are_404(client, learner, course):
    client.submit("/courses/local-voices/enrol")

    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get("/courses/local-voices/lessons/no-such-lesson").status_code == 404
    assert client.get("/courses/local-voices/media/../course.toml").status_code == 404


def test_my_learning_groups_courses_by_progress(client, learner, course):
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/lessons/first-steps/done")

    html = client.get("/courses/mine").get_data(as_text=True)

    assert "In progress" in html and "1 of 2 lessons done" in html


def test_enrolling_twice_keeps_one_enrolment(app, client, learner, course):
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/enrol")

    with app.app_context():
        assert len(db.session.scalars(select(Enrollment)).all()) == 1


def test_the_home_page_offers_to_continue_a_course(client, learner, course):
    client.submit("/courses/local-voices/enrol")

    html = client.get("/").get_data(as_text=True)

    assert "Your courses" in html and 'href="/courses/local-voices/continue"' in html
