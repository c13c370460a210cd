"""Importing a Google Forms responses CSV into a survey: map the columns, check every row, then all or nothing."""

import csv
import io
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.core import redaction
from lms.core.storage import private_folder, remove_after_commit, write_private
from lms.core.time import utcnow
from lms.extensions import db
from lms.surveys.models import Answer, Kind, Question, Response, Survey

log = logging.getLogger("lms.surveys")
#: How long an uploaded file waits for its column mapping to be confirmed.
UPLOAD_LIFETIME = timedelta(hours=24)
#: The first column's name in the languages Google Forms may export in.
TIMESTAMP_HEADERS = {
    "timestamp",
    "informazioni cronologiche",
    "zeitstempel",
    "časovni žig",
    "χρονική σήμανση",
    "marcaj de timp",
    "клеймо за време",
    "időbélyeg",
}
SKIPPED = TIMESTAMP_HEADERS | {"email address", "score"}
IGNORE = ""
#: Imported answers are dated from this day to today.
EARLIEST_DAY = date(2000, 1, 1)
TIMESTAMP_FORMATS = (
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
)


class UploadError(ValueError):
    """The file cannot be read as a Google Forms export."""


class UploadExpired(UploadError):
    """The upload is gone: older than a day, removed with a person's data, or never made."""


@dataclass
class Upload:
    """A CSV waiting for its column mapping to be confirmed."""

    key: str
    header: list[str]
    rows: list[list[str]]
    #: column index -> suggested target ("<question id>" or "<question id>:<row code>"), IGNORE when none matched
    suggestions: dict[int, str] = field(default_factory=dict)


def _folder() -> Path:
    return private_folder(Path(current_app.instance_path) / "imports")


def _expired(path: Path, now: float) -> bool:
    try:
        return path.stat().st_mtime < now - UPLOAD_LIFETIME.total_seconds()
    except FileNotFoundError:
        return True


def expire_uploads() -> int:
    """Remove the uploads whose mapping was not confirmed within a day; return how many.

    Called whenever someone uploads or opens an import, and by `lms surveys expire-uploads` for a cron.
    """
    now, removed = time.time(), 0
    for path in _folder().glob("*.csv"):
        if _expired(path, now):
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("%s expired upload(s) of Google Forms files removed", removed)
    return removed


#: When this process last looked for expired uploads (see `expire_now_and_then`).
_last_expiry = 0.0
EXPIRY_INTERVAL = 600


def expire_now_and_then() -> None:
    """Look for expired uploads at most every ten minutes, before any request: they go on their own."""
    global _last_expiry
    if time.time() - _last_expiry >= EXPIRY_INTERVAL:
        _last_expiry = time.time()
        expire_uploads()


def forget_uploads(name: str, email: str) -> int:
    """For erasure: remove (once the erasure is committed) every pending upload that names the person."""
    doomed = [
        path
        for path in _folder().glob("*.csv")
        if redaction.mentions_person(path.read_text(encoding="utf-8", errors="replace"), name, email)
    ]
    for path in doomed:
        remove_after_commit(path)
    return len(doomed)


def _read(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or not (_normalise(rows[0][0]) in TIMESTAMP_HEADERS or _is_timestamp(rows[1:2])):
        raise UploadError(_("This is not a Google Forms responses file: its first column must be “Timestamp”."))
    return rows[0], rows[1:]


def _is_timestamp(rows: list[list[str]]) -> bool:
    try:
        return bool(rows and rows[0] and _day(rows[0][0]))
    except ValueError:
        return False


def targets(survey: Survey, language: str) -> list[tuple[str, str]]:
    """Return what a column can be mapped to: each question, and each row of a grid."""
    choices = []
    for question in survey.questions:
        title = question.text("text", survey.base_language)
        if question.kind_ is Kind.GRID:
            choices += [
                (f"{question.id}:{row}", f"{title} [{question.label('rows', row, survey.base_language)}]")
                for row in question.rows
            ]
        else:
            choices.append((str(question.id), title))
    return choices


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def check_importable(survey: Survey) -> None:
    """Refuse to mix imported answers with answers given here, in an anonymous survey.

    Whoever imports knows every imported row and chooses its date: mixed with answers given through the
    platform, k − 1 known rows around one real answer would make a group of k that shows that one answer.
    """
    given_here = select(Response.id).where(Response.survey_id == survey.id, Response.source != "import").limit(1)
    if survey.anonymous and db.session.scalar(given_here) is not None:
        raise UploadError(
            _(
                "People have answered this anonymous survey here, so answers from Google Forms cannot be added "
                "to it. Import them into a copy of the survey."
            )
        )


def upload(survey: Survey, data: bytes) -> Upload:
    """Keep an uploaded CSV (for a day at most) and suggest a mapping of its columns to the questions by title."""
    expire_uploads()
    check_importable(survey)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(_("The file is not UTF-8 text. Download it again from Google Forms as CSV.")) from None
    header, rows = _read(text)
    key = secrets.token_urlsafe(16)
    write_private(_folder() / f"{key}.csv", text.encode("utf-8"))
    by_title = {_normalise(label): value for value, label in targets(survey, survey.base_language)}
    suggestions = {
        index: by_title.get(_normalise(title), IGNORE)
        for index, title in enumerate(header)
        if index and _normalise(title) not in SKIPPED
    }
    return Upload(key, header, rows[:3], suggestions)


def load_upload(key: str) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of a pending upload, or refuse a key that is unknown or expired."""
    expire_uploads()
    path = _folder() / f"{key}.csv"
    try:
        if not re.fullmatch(r"[A-Za-z0-9_-]{22}", key) or _expired(path, time.time()):
            raise FileNotFoundError(key)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UploadExpired(_("The uploaded file has expired. Please upload it again.")) from None
    return _read(text)


def _day(value: str) -> date:
    value = re.sub(r"\s*GMT[+-]\d+(:\d+)?$", "", value.strip())
    for pattern in TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("the timestamp “%(value)s” is not a date", value=value))


def _option(question: Question, label: str) -> str:
    """Return the code of the option labelled *label* in any language of the survey."""
    wanted = _normalise(label)
    for code in question.options:
        if any(_normalise((texts.get("options") or {}).get(code, "")) == wanted for texts in question.texts.values()):
            return code
    raise ValueError(
        _(
            "“%(value)s” is not one of the answers of “%(question)s”",
            value=label,
            question=question.text("text", question.survey.base_language),
        )
    )


def _checkboxes(question: Question, cell: str) -> list[tuple[str, str | None]]:
    """Split a checkbox cell against the known labels (which may contain commas); the rest is "Other"."""
    rest, found = cell, []
    labels = sorted(
        ((code, question.label("options", code, question.survey.base_language)) for code in question.options),
        key=lambda item: -len(item[1]),
    )
    for code, label in labels:
        pattern = rf"(^|,\s*){re.escape(label)}(?=\s*,|$)"
        if re.search(pattern, rest):
            found.append((code, None))
            rest = re.sub(pattern, "", rest, count=1)
    rest = rest.strip(" ,")
    if rest:
        if not question.allow_other:
            raise ValueError(
                _(
                    "“%(value)s” is not one of the answers of “%(question)s”",
                    value=rest,
                    question=question.text("text", question.survey.base_language),
                )
            )
        found.append(("other", rest))
    return found


def _values(question: Question, row: str | None, cell: str) -> list[dict]:
    kind = question.kind_
    if kind.numeric:
        low, high = (
            (1, 5) if kind is Kind.AGREE else (0, 10) if kind is Kind.NPS else (question.scale_min, question.scale_max)
        )
        if not cell.strip().lstrip("-").isdigit() or not low <= int(cell) <= high:
            raise ValueError(_("“%(value)s” is not a number from %(low)s to %(high)s", value=cell, low=low, high=high))
        return [{"number": int(cell)}]
    if kind is Kind.MULTIPLE:
        return [{"option_code": code, "text": text} for code, text in _checkboxes(question, cell)]
    if kind.choice:
        return [{"option_code": _option(question, cell), "row_code": row}]
    return [{"text": cell.strip()[:5000]}]


def import_rows(survey: Survey, key: str, mapping: dict[int, str], country: str) -> int:
    """Check every row of the upload, then store them all as responses (or none); return how many."""
    check_importable(survey)
    header, rows = load_upload(key)
    questions = {str(question.id): question for question in survey.questions}
    errors, responses = [], []
    today = utcnow().date()
    for line, cells in enumerate(rows, start=2):
        try:
            day = _day(cells[0])
            if not EARLIEST_DAY <= day <= today:
                raise ValueError(_("the date %(day)s lies in the future or before 2000", day=day.isoformat()))
            response = Response(
                id=secrets.token_hex(16),
                survey_id=survey.id,
                submitted_on=day,
                language=survey.base_language,
                country=country,
                source="import",
            )
            for index, target in mapping.items():
                cell = cells[index] if index < len(cells) else ""
                if not target or not cell.strip():
                    continue
                question_id, _sep, row = target.partition(":")
                for value in _values(questions[question_id], row or None, cell):
                    response.answers.append(
                        Answer(
                            survey_id=survey.id,
                            question_id=int(question_id),
                            country=country,
                            language=survey.base_language,
                            submitted_on=response.submitted_on,
                            **value,
                        )
                    )
            responses.append(response)
        except (ValueError, IndexError, KeyError) as error:
            errors.append(_("Line %(line)s: %(problem)s", line=line, problem=str(error)))
    if errors:
        raise ImportRowsError(errors, header, rows)
    db.session.add_all(responses)
    survey.response_count += len(responses)
    if survey.anonymous:
        # From now on it holds imported answers: it takes none through the platform (see check_importable).
        survey.closes_at = min(survey.closes_at or utcnow(), utcnow())
    db.session.flush()
    (_folder() / f"{key}.csv").unlink(missing_ok=True)
    return len(responses)


class ImportRowsError(ValueError):
    """Some rows are wrong; nothing was imported. `problems` lists them by line; `header` and `rows` are the file's."""

    def __init__(self, problems: list[str], header: list[str], rows: list[list[str]]):
        super().__init__("; ".join(problems))
        self.problems, self.header, self.rows = problems, header, rows
