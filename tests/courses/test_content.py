"""course_content/: checked with clear problems, imported by slug, re-imported without losing progress."""

import shutil
from pathlib import Path

from sqlalchemy import select

from lms.courses import services
from lms.courses.content import load_content
from lms.courses.models import Course, Enrollment, Lesson
from lms.extensions import db

PROGRAMME = "course_content"


def problems(folder) -> list[str]:
    return [str(problem).replace(str(folder) + "/", "") for problem in load_content(folder).problems]


def test_the_programme_in_course_content_is_correct():
    content = load_content(Path(PROGRAMME))

    assert content.problems == []
    assert len(content.courses) >= 4
    for course in content.courses:
        assert 4 <= len(course.lessons) <= 6, course.slug
        assert any(lesson.quiz for lesson in course.lessons), course.slug


def test_broken_content_is_reported_with_file_and_line(content_dir):
    course = content_dir / "local-voices"
    quiz = course / "lessons/second-steps/quiz.toml"
    quiz.write_text(quiz.read_text().replace('correct = ["b"]', 'correct = ["d"]'))
    lesson = course / "lessons/first-steps/en.md"
    lesson.write_text(
        lesson.read_text().replace("![A market stall in the main square](media/stall.svg)", "![](media/missing.png)")
        + "\n::: danger\nx\n:::\n"
    )

    assert problems(content_dir) == [
        "local-voices/lessons/first-steps/en.md:9: this image has no description: "
        "write it in the brackets, ![description](media/…)",
        "local-voices/lessons/first-steps/en.md:9: media/missing.png is not a file in the course's media/ folder",
        "local-voices/lessons/first-steps/en.md:13: unknown box ::: danger (use tip, note, warning, example, video)",
        "local-voices/lessons/second-steps/quiz.toml:5: question 'first': correct answer 'd' is not one of the options",
    ]


def test_invalid_toml_and_missing_files_are_reported(content_dir):
    (content_dir / "local-voices/course.toml").write_text('default_language = "en"\ntopics = [\n')
    (content_dir / "empty-course").mkdir()

    assert problems(content_dir) == [
        "empty-course/course.toml:1: course.toml is missing",
        "local-voices/course.toml:2: this is not valid TOML: Invalid value (at end of document)",
    ]


def test_broken_content_changes_nothing(app, runner, course, content_dir):
    lesson = content_dir / "local-voices/lessons/first-steps/en.md"
    lesson.write_text("No title line\n")

    result = runner.invoke(args=["content", "import", "--path", str(content_dir)])

    assert result.exit_code == 1
    assert "first-steps/en.md:1: the first line must be the lesson's title" in result.output
    assert "nothing was changed" in result.output
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "first-steps"))
        assert {text.language: text.title for text in lesson.texts}["en"] == "First steps"


def test_reimporting_an_edited_course_keeps_progress_and_retires_removed_lessons(
    app, client, learner, course, import_content, content_dir
):
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/lessons/first-steps/done")
    lesson = content_dir / "local-voices/lessons/first-steps/en.md"
    lesson.write_text(lesson.read_text().replace("# First steps", "# The very first steps"))
    toml = content_dir / "local-voices/course.toml"
    toml.write_text(toml.read_text().replace('[[lessons]]\nslug = "second-steps"\nduration_minutes = 25\n', ""))

    report = import_content(content_dir)

    assert report.updated == ["local-voices"]
    assert report.retired_lessons == ["local-voices/second-steps"]
    page = client.get("/courses/local-voices").get_data(as_text=True)
    assert "The very first steps" in page and "Second steps" not in page
    assert "1 of 1 lesson done" in page
    with app.app_context():
        enrollment = db.session.scalar(select(Enrollment))
        assert len(enrollment.progress) == 1
        assert db.session.scalar(select(Lesson).where(Lesson.slug == "second-steps")).retired_at is not None


def test_a_course_removed_from_the_files_is_retired_not_deleted(app, course, import_content, content_dir):
    shutil.rmtree(content_dir / "local-voices")

    report = import_content(content_dir)

    assert report.retired_courses == ["local-voices"]
    with app.app_context():
        assert db.session.scalar(select(Course)).retired_at is not None
        assert services.catalogue() == []


def test_lesson_html_is_sanitised_and_media_links_point_to_the_course(app, client, learner, course):
    client.submit("/courses/local-voices/enrol")

    first = client.get("/courses/local-voices/lessons/first-steps").get_data(as_text=True)
    second = client.get("/courses/local-voices/lessons/second-steps").get_data(as_text=True)

    assert '<aside class="callout callout-tip">' in first and '<span class="callout-title">Try this</span>' in first
    assert '<img src="/courses/local-voices/media/stall.svg" alt="A market stall in the main square">' in first
    assert 'href="/courses/local-voices/media/checklist.txt"' in first
    assert "<table>" in second
    assert "<script>" not in second and "&lt;script&gt;" in second


def test_the_flagship_course_is_complete_in_all_eight_languages():
    from lms.i18n import LANGUAGES

    [flagship] = [course for course in load_content(Path(PROGRAMME)).courses if course.slug == "positive-stories"]

    assert set(flagship.texts) == set(LANGUAGES)
    for lesson in flagship.lessons:
        assert set(lesson.texts) == set(LANGUAGES), lesson.slug
        for question in lesson.quiz.questions if lesson.quiz else []:
            assert set(question["texts"]) == set(LANGUAGES), (lesson.slug, question["id"])
