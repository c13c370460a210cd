"""Importing a Google Forms responses CSV into a survey: map the columns, check every row, then all or nothing."""

import csv
import hashlib
import hmac
import io
import json
import logging
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.core import redaction
from lms.core.exports import is_formula
from lms.core.jobs import JobKind
from lms.core.storage import storage
from lms.core.time import utcnow
from lms.extensions import db
from lms.i18n import country_code, country_name
from lms.surveys.models import OTHER, Answer, ImportedRow, Kind, Question, Response, Survey

log = logging.getLogger("lms.surveys")
#: How long an uploaded file waits for its column mapping to be confirmed.
UPLOAD_LIFETIME = timedelta(hours=24)
#: Where pending uploads are stored; the page carries only the random part of the key.
NAMESPACE = "imports"
TOKEN = re.compile(r"[0-9a-f]{32}")
#: The first column's name in the languages Google Forms may export in, and the language it tells.
TIMESTAMP_LANGUAGES = {
    "timestamp": "en",
    "informazioni cronologiche": "it",
    "zeitstempel": "de",
    "časovni žig": "sl",
    "χρονική σήμανση": "el",
    "marcaj de timp": "ro",
    "клеймо за време": "bg",
    "időbélyeg": "hu",
}
TIMESTAMP_HEADERS = set(TIMESTAMP_LANGUAGES)
#: The e-mail column of a form that collects addresses: never imported (answers here keep no address).
EMAIL_HEADERS = {
    "email address",
    "indirizzo email",
    "e-mail-adresse",
    "e-poštni naslov",
    "διεύθυνση ηλεκτρονικού ταχυδρομείου",
    "adresă de e-mail",
    "имейл адрес",
    "e-mail-cím",
}
#: Columns that are no answers: quiz scores, and the platform's own export columns besides the country.
SKIPPED = TIMESTAMP_HEADERS | EMAIL_HEADERS | {"score", "punteggio", "punktzahl", "language", "response id"}
#: The header of a column of countries, as the platform's own export writes it.
COUNTRY_HEADERS = {"country", "paese", "land", "država", "χώρα", "țara", "държава", "ország"}
IGNORE = ""
#: The target of a column that gives each row's country.
COUNTRY = "country"
#: Imported answers are dated from this day to today.
EARLIEST_DAY = date(2000, 1, 1)
#: A date as Google Forms writes it in each language: year first (2026/01/05, 2026. 01. 05.) or last (5.1.2026).
YEAR_FIRST = re.compile(r"^\s*(\d{4})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{1,2})")
YEAR_LAST = re.compile(r"^\s*(\d{1,2})\s*([./-])\s*(\d{1,2})\s*[./-]\s*(\d{4})")


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

    @property
    def first_rows(self) -> list[list[str]]:
        return self.rows[:3]

    @property
    def discarded(self) -> list[str]:
        """The columns never imported: e-mail addresses and the like."""
        return [title for index, title in enumerate(self.header) if index and index not in self.suggestions]

    @property
    def unmatched(self) -> list[str]:
        return [self.header[index] for index, target in self.suggestions.items() if not target]


def _storage_key(token: str) -> str:
    """The storage key of the upload whose page carries *token*; a forged token names no file."""
    return f"{NAMESPACE}/{token}" if TOKEN.fullmatch(token) else ""


def expire_uploads() -> int:
    """Remove the uploads whose mapping was not confirmed within a day; return how many.

    A periodic job (below) runs it every ten minutes; `lms surveys expire-uploads` runs it at once.
    """
    removed = storage().delete_older_than(NAMESPACE, UPLOAD_LIFETIME)
    if removed:
        log.info("%s expired upload(s) of Google Forms files removed", removed)
    return removed


JOBS = (
    JobKind(
        "surveys.expire_uploads",
        _l("Delete the Google Forms files whose import was not confirmed within a day"),
        expire_uploads,
        every=timedelta(minutes=10),
    ),
)


def forget_uploads(name: str, email: str) -> int:
    """For erasure: remove (once the erasure is committed) every pending upload that names the person."""
    store = storage()
    doomed = [
        key
        for key in store.keys(NAMESPACE)
        if redaction.mentions_person(_content(store, key).decode("utf-8", errors="replace"), name, email)
    ]
    for key in doomed:
        store.delete_after_commit(key)
    return len(doomed)


def _content(store, key: str) -> bytes:
    """The upload of *key*, or nothing when it went meanwhile (expired, imported or cancelled)."""
    try:
        return store.read(key)
    except FileNotFoundError:
        return b""


def _read(text: str) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of a Google Forms CSV, refusing a file that is cut, damaged or not one."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text), strict=True) if row]
    except csv.Error:
        raise UploadError(
            _("The file ends inside a quoted text: it was cut off or damaged. Download it again from Google Forms.")
        ) from None
    if rows and len(rows[0]) == 1 and rows[0][0].count(";") >= 1:
        raise UploadError(
            _(
                "The columns of this file are separated by semicolons, as spreadsheet programs save CSV in some "
                "languages. Download the file from Google Forms again (Responses → Download responses), or save "
                "it as CSV separated by commas."
            )
        )
    if not rows or not (_normalise(rows[0][0]) in TIMESTAMP_HEADERS or _is_timestamp(rows[1:2])):
        raise UploadError(_("This is not a Google Forms responses file: its first column must be “Timestamp”."))
    header, body = rows[0], rows[1:]
    uneven = [line for line, row in enumerate(body, start=2) if len(row) != len(header)]
    if uneven:
        raise UploadError(
            _(
                "Line %(line)s has %(found)s columns where the header has %(expected)s: the file is cut or damaged. "
                "Download it again from Google Forms.",
                line=uneven[0],
                found=len(body[uneven[0] - 2]),
                expected=len(header),
            )
        )
    return header, body


def _is_timestamp(rows: list[list[str]]) -> bool:
    try:
        return bool(rows and rows[0] and _day(rows[0][0], day_first=True))
    except ValueError:
        return False


def _language_of(header: list[str], survey: Survey) -> str:
    """The language the form was answered in, as its export's first header tells (English says nothing: the
    survey's own language then)."""
    language = TIMESTAMP_LANGUAGES.get(_normalise(header[0]), "en")
    return language if language != "en" and language in survey.languages else survey.base_language


def day_first(header: list[str], rows: list[list[str]]) -> bool:
    """Tell whether the file writes dates as 5/1/2026 for the 5th of January: every language of the programme
    does, and US English does not; a first number above 12 settles it."""
    for row in rows:
        found = YEAR_LAST.match(row[0]) if row else None
        if found and int(found.group(1)) > 12:
            return True
        if found and int(found.group(3)) > 12:
            return False
    return _normalise(header[0]) != "timestamp"


def targets(survey: Survey, language: str) -> list[tuple[str, str]]:
    """Return what a column can be mapped to, titled in *language*: each question, each row of a grid, and the
    country of each row."""
    choices = [(COUNTRY, _("Country of each answer"))]
    for question in survey.questions:
        title = question.text("text", language)
        if question.kind_ is Kind.GRID:
            choices += [
                (f"{question.id}:{row}", f"{title} [{question.label('rows', row, language)}]")
                for row in question.all_rows
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
    """Keep an uploaded CSV (for a day at most) and suggest a mapping of its columns to the questions by title,
    in any language of the survey."""
    check_importable(survey)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(_("The file is not UTF-8 text. Download it again from Google Forms as CSV.")) from None
    header, rows = _read(text)
    token = storage().save(text.encode("utf-8"), NAMESPACE, "text/csv").removeprefix(f"{NAMESPACE}/")
    by_title = {
        _normalise(label): value
        for language in survey.languages
        for value, label in targets(survey, language)
        if value != COUNTRY
    }
    suggestions = {
        index: by_title.get(_normalise(title), IGNORE)
        for index, title in enumerate(header)
        if index and _normalise(title) not in SKIPPED
    }
    countries = [index for index in suggestions if _normalise(header[index]) in COUNTRY_HEADERS]
    if countries:  # the platform's own export puts its country column last; a question may be titled "Country" too
        suggestions[countries[-1]] = COUNTRY
    return Upload(token, header, rows, suggestions)


def suggestions_kept(header: list[str], mapping: dict[int, str]) -> dict[int, str]:
    """The mapping a person sent back, on the columns that take answers (to show it again)."""
    return {
        index: mapping.get(index, IGNORE) for index in range(1, len(header)) if _normalise(header[index]) not in SKIPPED
    }


def load_upload(token: str) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of a pending upload, or refuse a token that is unknown or expired."""
    expire_uploads()  # an upload past its day is refused now, whenever the periodic job comes
    try:
        text = storage().read(_storage_key(token)).decode("utf-8")
    except FileNotFoundError:
        raise UploadExpired(_("The uploaded file has expired. Please upload it again.")) from None
    return _read(text)


def _day(value: str, *, day_first: bool) -> date:
    """Read the day of a Google Forms timestamp in any of its languages; the time of day is not kept."""
    found = YEAR_FIRST.match(value)
    try:
        if found:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        found = YEAR_LAST.match(value)
        if found:
            first, second, year = int(found.group(1)), int(found.group(3)), int(found.group(4))
            day_first = day_first or found.group(2) == "."  # 5.1.2026 is always the 5th of January
            return date(year, second, first) if day_first else date(year, first, second)
    except ValueError:
        pass
    raise ValueError(_("the timestamp “%(value)s” is not a date", value=value))


def _not_an_answer(question: Question, value: str) -> ValueError:
    return ValueError(
        _(
            "“%(value)s” is not one of the answers of “%(question)s”",
            value=value,
            question=question.text("text", question.survey.base_language),
        )
    )


def _labels(question: Question) -> list[tuple[str, str]]:
    """(code, label) of every option in every language of the survey, the longest labels first."""
    found = {
        (code, label)
        for texts in question.texts.values()
        for code, label in (texts.get("options") or {}).items()
        if label and code in question.all_options
    }
    return sorted(found, key=lambda item: -len(item[1]))


def _option(question: Question, label: str) -> tuple[str, str | None]:
    """Return the code of the option labelled *label* in any language of the survey, or "Other" and the text."""
    wanted = _normalise(label)
    for code, known in _labels(question):
        if _normalise(known) == wanted:
            return code, None
    if question.allow_other:
        return OTHER, label.strip()
    raise _not_an_answer(question, label)


def _checkboxes(question: Question, cell: str) -> list[tuple[str, str | None]]:
    """Split a checkbox cell against the known labels (which may contain commas); the rest is "Other"."""
    rest, found = cell, []
    for code, label in _labels(question):
        pattern = rf"(^|,\s*){re.escape(label)}(?=\s*,|$)"
        if code not in {code for code, _text in found} and re.search(pattern, rest):
            found.append((code, None))
            rest = re.sub(pattern, "", rest, count=1)
    rest = rest.strip(" ,")
    if rest:
        if not question.allow_other:
            raise _not_an_answer(question, rest)
        found.append((OTHER, rest))
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
        code, text = _option(question, cell)
        return [{"option_code": code, "text": text, "row_code": row}]
    return [{"text": cell.strip()[:5000]}]


def _fingerprint(survey: Survey, stamp: str, country: str, given: list[tuple[str, str]], occurrence: int) -> str:
    """Recognise a row imported before by what it brings: its timestamp, country and answers (column by
    question, whatever else the file holds or however it names countries), and which of identical rows it is.
    Keyed with the secret key, the stored fingerprint says nothing of the row by itself."""
    message = json.dumps([survey.id, " ".join(stamp.split()), country, sorted(given), occurrence], ensure_ascii=False)
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).hexdigest()


def _unprotected(cell: str) -> str:
    """A cell as it was answered: exports put an apostrophe before text that a spreadsheet would run."""
    return cell[1:] if cell.startswith("'") and is_formula(cell[1:]) else cell


@dataclass
class Imported:
    """What an import did: responses added, rows imported before and rows without any answer, both skipped."""

    added: int
    repeated: int
    empty: int


def _country_of(cells: list[str], column: int | None, chosen: str | None, scope) -> str:
    named = cells[column].strip() if column is not None else ""
    if not named:
        if not chosen:
            raise ValueError(_("no country: choose the country of these answers, or match a column of countries"))
        return chosen
    country = country_code(named)
    if country is None:
        raise ValueError(_("“%(value)s” is not a country of the European Union", value=named))
    if scope is not None and country not in scope:
        raise ValueError(_("%(country)s is not one of your countries", country=country_name(country)))
    return country


def import_rows(survey: Survey, key: str, mapping: dict[int, str], country: str | None, scope=None) -> Imported:
    """Check every row of the upload, then store them all as responses (or none).

    Each row's country comes from the column mapped to COUNTRY, else from *country*; either lies within the
    importer's *scope*. Rows imported before (same timestamp and answers) and rows without any answer are
    skipped and counted; a file whose question columns are mostly left unmatched is refused.
    """
    check_importable(survey)
    header, rows = load_upload(key)
    questions = {str(question.id): question for question in survey.questions}
    columns = {index: target for index, target in mapping.items() if 0 < index < len(header) and target}
    country_column = next((index for index, target in columns.items() if target == COUNTRY), None)
    answered = {index: target for index, target in columns.items() if target != COUNTRY}
    offered = [index for index in range(1, len(header)) if _normalise(header[index]) not in SKIPPED]
    if len(answered) * 2 < len(offered) - (country_column is not None):
        raise ImportRowsError(
            [
                _(
                    "Only %(matched)s of the file's %(columns)s columns are matched to questions of this survey: is "
                    "it the export of another form? Match the columns, or upload the right file.",
                    matched=len(answered),
                    columns=len(offered),
                )
            ],
            header,
            rows,
        )
    if any(target not in questions and target.partition(":")[0] not in questions for target in answered.values()):
        raise ImportRowsError([_("A column is matched to a question that is no longer in the survey.")], header, rows)
    seen = set(db.session.scalars(select(ImportedRow.fingerprint).where(ImportedRow.survey_id == survey.id)))
    errors, responses, fingerprints, occurrences = [], [], [], Counter()
    repeated = empty = 0
    today, first, language = utcnow().date(), day_first(header, rows), _language_of(header, survey)
    for line, cells in enumerate(rows, start=2):
        cells = [_unprotected(cell) for cell in cells]
        try:
            row_country = _country_of(cells, country_column, country, scope)
            given = [
                (target, " ".join(cells[index].split())) for index, target in answered.items() if cells[index].strip()
            ]
            identity = (cells[0], row_country, tuple(sorted(given)))
            occurrences[identity] += 1
            fingerprint = _fingerprint(survey, cells[0], row_country, given, occurrences[identity])
            if fingerprint in seen:
                repeated += 1
                continue
            day = _day(cells[0], day_first=first)
            if not EARLIEST_DAY <= day <= today:
                raise ValueError(_("the date %(day)s lies in the future or before 2000", day=day.isoformat()))
            response = Response(
                id=secrets.token_hex(16),
                survey_id=survey.id,
                submitted_on=day,
                language=language,
                country=row_country,
                source="import",
            )
            for index, target in answered.items():
                if not cells[index].strip():
                    continue
                question_id, _sep, row = target.partition(":")
                for value in _values(questions[question_id], row or None, cells[index]):
                    response.answers.append(
                        Answer(
                            survey_id=survey.id,
                            question_id=int(question_id),
                            country=row_country,
                            language=language,
                            submitted_on=day,
                            **value,
                        )
                    )
        except ValueError as error:
            errors.append(_("Line %(line)s: %(problem)s", line=line, problem=str(error)))
            continue
        if not response.answers:
            empty += 1
            continue
        responses.append(response)
        fingerprints.append(fingerprint)
    if errors:
        raise ImportRowsError(errors, header, rows)
    db.session.add_all(responses)
    db.session.add_all(ImportedRow(survey_id=survey.id, fingerprint=value) for value in fingerprints)
    survey.response_count += len(responses)
    if survey.anonymous and responses:
        # From now on it holds imported answers: it takes none through the platform (see check_importable).
        survey.closes_at = min(survey.closes_at or utcnow(), utcnow())
    db.session.flush()
    storage().delete_after_commit(_storage_key(key))
    return Imported(len(responses), repeated, empty)


def abandon(token: str) -> None:
    """Remove a pending upload whose import was cancelled."""
    storage().delete(_storage_key(token))


class ImportRowsError(ValueError):
    """Some rows are wrong; nothing was imported. `problems` lists them by line; `header` and `rows` are the file's."""

    def __init__(self, problems: list[str], header: list[str], rows: list[list[str]]):
        super().__init__("; ".join(problems))
        self.problems, self.header, self.rows = problems, header, rows
