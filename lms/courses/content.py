"""Reading and checking `course_content/`: every problem is reported with its file and line."""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lms.courses.markdown import CALLOUTS, media_references, parser
from lms.i18n import LANGUAGES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUESTION_KINDS = ("single", "multiple")
BOX = re.compile(r"^\s*:::\s*(\S+)")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class QuizSpec:
    pass_mark: int
    #: Each: {"id", "kind", "options", "correct",
    #:        "texts": {language: {"text", "options": {id: label}, "feedback": {id: text}}}}
    questions: list[dict]


@dataclass
class LessonSpec:
    slug: str
    duration_minutes: int
    required: bool
    #: language -> (title, Markdown tokens of the body)
    texts: dict[str, tuple[str, list]] = field(default_factory=dict)
    quiz: QuizSpec | None = None


@dataclass
class CourseSpec:
    slug: str
    folder: Path
    default_language: str
    duration_minutes: int
    topics: list[str]
    position: int
    published: bool
    #: language -> {"title", "summary", "audience", "outcomes"}
    texts: dict[str, dict]
    lessons: list[LessonSpec]


@dataclass
class Content:
    courses: list[CourseSpec]
    #: topic -> {language: label}
    topics: dict[str, dict[str, str]]
    problems: list[Problem]


class _Checker:
    """Collects problems while reading one file's data."""

    def __init__(self, path: Path, text: str, problems: list[Problem]):
        self.path, self.lines, self.problems = path, text.splitlines(), problems

    def line_of(self, *needles: str, after: int = 0) -> int:
        """Return the first line (1-based) from *after* on that holds every needle, else *after* or 1."""
        for number, line in enumerate(self.lines[after:], start=after + 1):
            if all(needle in line for needle in needles):
                return number
        return max(after, 1)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def require(self, data: dict, key: str, kind: type, line: int, where: str = ""):
        value = data.get(key)
        if value is None:
            self.problem(line, f"{where}{key} is missing")
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problem(self.line_of(f"{key}", after=line - 1), f"{where}{key} must be {_kind_name(kind)}")
            return None
        elif isinstance(value, str) and not value.strip():
            self.problem(self.line_of(f"{key}", after=line - 1), f"{where}{key} is empty")
        return value


def _kind_name(kind: type) -> str:
    return {str: "text in quotes", int: "a whole number", bool: "true or false", list: "a list [ … ]"}.get(
        kind, kind.__name__
    )


def _read_toml(path: Path, problems: list[Problem]) -> tuple[dict | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(path, 1, "the file is not UTF-8 text"))
        return None, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else max(len(text.splitlines()), 1)
        problems.append(Problem(path, line, f"this is not valid TOML: {error}"))
        return None, text


def load_content(root: Path) -> Content:
    """Read and check every course under *root*; problems are collected, never raised."""
    problems: list[Problem] = []
    topics = _load_topics(root / "topics.toml", problems)
    courses = []
    for folder in sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")):
        course = _load_course(folder, set(topics), problems)
        if course is not None:
            courses.append(course)
    return Content(courses, topics, sorted(problems, key=lambda problem: (str(problem.path), problem.line)))


def _load_topics(path: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    if not path.exists():
        problems.append(Problem(path, 1, "topics.toml is missing"))
        return {}
    data, text = _read_toml(path, problems)
    check = _Checker(path, text, problems)
    topics = {}
    for topic, labels in (data or {}).items():
        line = check.line_of(f"[{topic}]")
        if not SLUG.match(topic):
            check.problem(line, f"topic name {topic!r} may hold only lower-case letters, digits and hyphens")
        if not isinstance(labels, dict) or not isinstance(labels.get("en"), str):
            check.problem(line, f'topic {topic!r} needs its English name: en = "…"')
            continue
        for language in labels:
            if language not in LANGUAGES:
                check.problem(check.line_of(f"{language}", after=line), f"unknown language {language!r}")
        topics[topic] = {language: label for language, label in labels.items() if language in LANGUAGES}
    return topics


def _load_course(folder: Path, topics: set[str], problems: list[Problem]) -> CourseSpec | None:
    path = folder / "course.toml"
    if not SLUG.match(folder.name):
        problems.append(
            Problem(folder, 1, "a course folder's name may hold only lower-case letters, digits and hyphens")
        )
        return None
    if not path.exists():
        problems.append(Problem(path, 1, "course.toml is missing"))
        return None
    data, text = _read_toml(path, problems)
    if data is None:
        return None
    check = _Checker(path, text, problems)
    start = len(problems)
    default = check.require(data, "default_language", str, 1)
    if default is not None and default not in LANGUAGES:
        check.problem(check.line_of("default_language"), f"default_language must be one of {', '.join(LANGUAGES)}")
    duration = check.require(data, "duration_minutes", int, 1)
    course_topics = data.get("topics", [])
    if not isinstance(course_topics, list):
        check.problem(check.line_of("topics"), "topics must be a list [ … ]")
        course_topics = []
    for topic in course_topics:
        if topic not in topics:
            check.problem(check.line_of("topics"), f"topic {topic!r} is not in topics.toml")
    for key, kind in (("position", int), ("published", bool), ("pass_mark", int)):
        if key in data:
            check.require(data, key, kind, check.line_of(key))
    pass_mark = data.get("pass_mark", 70)
    if isinstance(pass_mark, int) and not 1 <= pass_mark <= 100:
        check.problem(check.line_of("pass_mark"), "pass_mark must be a percentage from 1 to 100")

    texts = {}
    for language in [key for key, value in data.items() if isinstance(value, dict)]:
        line = check.line_of(f"[{language}]")
        if language not in LANGUAGES:
            check.problem(line, f"unknown language table [{language}]")
            continue
        table = data[language]
        for key in ("title", "summary", "audience"):
            check.require(table, key, str, line, f"[{language}] ")
        outcomes = check.require(table, "outcomes", list, line, f"[{language}] ")
        if outcomes is not None and not all(isinstance(item, str) and item.strip() for item in outcomes):
            check.problem(check.line_of("outcomes", after=line), f"[{language}] outcomes must be a list of texts")
        texts[language] = table
    if default and default not in texts:
        check.problem(1, f"the table of the default language [{default}] is missing")

    lessons = _load_lessons(folder, data, check, default, problems)
    if len(problems) > start:
        return None
    return (
        CourseSpec(
            slug=folder.name,
            folder=folder,
            default_language=default,
            duration_minutes=duration,
            topics=course_topics,
            position=data.get("position", 100),
            published=data.get("published", True),
            texts=texts,
            lessons=lessons,
        )
        if lessons is not None
        else None
    )


def _load_lessons(folder: Path, data: dict, check: _Checker, default: str | None, problems: list[Problem]):
    entries = data.get("lessons")
    if not isinstance(entries, list) or not entries:
        check.problem(1, "the course has no [[lessons]]")
        return None
    lessons, seen = [], set()
    pass_mark = data.get("pass_mark", 70)
    for entry in entries:
        slug = entry.get("slug") if isinstance(entry, dict) else None
        line = check.line_of("slug", f'"{slug}"') if slug else check.line_of("[[lessons]]")
        if not isinstance(slug, str) or not SLUG.match(slug):
            check.problem(line, "each lesson needs a slug of lower-case letters, digits and hyphens")
            continue
        if slug in seen:
            check.problem(line, f"lesson {slug!r} is listed twice")
            continue
        seen.add(slug)
        duration = check.require(entry, "duration_minutes", int, line, f"lesson {slug!r}: ")
        required = entry.get("required", True)
        if not isinstance(required, bool):
            check.problem(line, f"lesson {slug!r}: required must be true or false")
        lesson = LessonSpec(slug=slug, duration_minutes=duration or 0, required=required is not False)
        lesson_folder = folder / "lessons" / slug
        if not lesson_folder.is_dir():
            check.problem(line, f"lesson folder lessons/{slug}/ is missing")
            continue
        for source in sorted(lesson_folder.glob("*.md")):
            if source.stem not in LANGUAGES:
                problems.append(
                    Problem(source, 1, f"lesson files are named after a language code ({', '.join(LANGUAGES)})")
                )
                continue
            parsed = _load_lesson_text(source, folder / "media", problems)
            if parsed is not None:
                lesson.texts[source.stem] = parsed
        if default and default not in lesson.texts and not (lesson_folder / f"{default}.md").exists():
            check.problem(
                line, f"lesson {slug!r} has no text in the default language: lessons/{slug}/{default}.md is missing"
            )
        quiz_path = lesson_folder / "quiz.toml"
        if quiz_path.exists():
            lesson.quiz = _load_quiz(quiz_path, default, pass_mark, problems)
        lessons.append(lesson)
    return lessons


def _load_lesson_text(path: Path, media: Path, problems: list[Problem]) -> tuple[str, list] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(path, 1, "the file is not UTF-8 text"))
        return None
    first, _, body = text.lstrip("\ufeff").partition("\n")
    if not first.startswith("# ") or not first[2:].strip():
        problems.append(Problem(path, 1, "the first line must be the lesson's title, written as: # Title"))
        return None
    tokens = parser().parse(body)
    start = len(problems)
    for number, line_text in enumerate(body.splitlines(), start=2):
        box = BOX.match(line_text)
        if box and box.group(1) not in CALLOUTS:
            problems.append(Problem(path, number, f"unknown box ::: {box.group(1)} (use {', '.join(CALLOUTS)})"))
    for token in tokens:
        line = (token.map[0] + 2) if token.map else 2
        if token.type == "heading_open" and token.tag == "h1":
            problems.append(
                Problem(path, line, "only the first line may be a # title; use ## for headings inside the lesson")
            )
        for child in token.children or []:
            if child.type == "image" and not "".join(grand.content for grand in child.children or []).strip():
                problems.append(
                    Problem(
                        path, line, "this image has no description: write it in the brackets, ![description](media/…)"
                    )
                )
    for line, _token, _attribute, name in media_references(tokens):
        if not SLUG.match(Path(name).stem) or "/" in name or not (media / name).is_file():
            problems.append(Problem(path, line + 1, f"media/{name} is not a file in the course's media/ folder"))
    return None if len(problems) > start else (first[2:].strip(), tokens)


def _load_quiz(path: Path, default: str | None, course_pass_mark: int, problems: list[Problem]) -> QuizSpec | None:
    data, text = _read_toml(path, problems)
    if data is None:
        return None
    check = _Checker(path, text, problems)
    start = len(problems)
    pass_mark = data.get("pass_mark", course_pass_mark)
    if not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        check.problem(check.line_of("pass_mark"), "pass_mark must be a percentage from 1 to 100")
    questions, seen = [], set()
    for raw in data.get("questions") or []:
        question_id = raw.get("id")
        line = check.line_of("id", f'"{question_id}"') if question_id else check.line_of("[[questions]]")
        where = f"question {question_id!r}: "
        if not isinstance(question_id, str) or not SLUG.match(question_id) or question_id in seen:
            check.problem(line, "each question needs its own id of lower-case letters, digits and hyphens")
            continue
        seen.add(question_id)
        kind = raw.get("kind")
        if kind not in QUESTION_KINDS:
            check.problem(check.line_of("kind", after=line - 1), where + 'kind must be "single" or "multiple"')
        options = check.require(raw, "options", list, line, where) or []
        correct = check.require(raw, "correct", list, line, where) or []
        for answer in correct:
            if answer not in options:
                check.problem(
                    check.line_of("correct", after=line - 1),
                    where + f"correct answer {answer!r} is not one of the options",
                )
        if not correct or (kind == "single" and len(correct) != 1):
            check.problem(
                check.line_of("correct", after=line - 1),
                where + "a single-choice question needs exactly one correct answer"
                if kind == "single"
                else where + "name at least one correct answer",
            )
        texts = {}
        for language, table in ((key, value) for key, value in raw.items() if isinstance(value, dict)):
            table_line = check.line_of(f"[questions.{language}]", after=line - 1)
            if language not in LANGUAGES:
                check.problem(table_line, where + f"unknown language table [questions.{language}]")
                continue
            feedback = table.get("feedback", {})
            missing = [key for key in ("text", *options) if not str(table.get(key, "")).strip()]
            missing += [f"feedback.{option}" for option in options if not str(feedback.get(option, "")).strip()]
            if missing:
                check.problem(table_line, where + f"[questions.{language}] needs {', '.join(missing)}")
            texts[language] = {
                "text": table.get("text", ""),
                "options": {o: table.get(o, "") for o in options},
                "feedback": {o: feedback.get(o, "") for o in options},
            }
        if default and default not in texts:
            check.problem(line, where + f"the table of the default language [questions.{default}] is missing")
        questions.append({"id": question_id, "kind": kind, "options": options, "correct": correct, "texts": texts})
    if not questions and len(problems) == start:
        check.problem(1, "a knowledge check needs at least one [[questions]]")
    return None if len(problems) > start else QuizSpec(pass_mark=pass_mark, questions=questions)
