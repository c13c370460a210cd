"""Survey results: the summary (counted by the database) and exports in two layouts, of the shown answers only."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.i18n import country_name
from lms.surveys import api
from lms.surveys.forms import AGREE_LABELS
from lms.surveys.models import OTHER, Answer, Kind, Question, Response, Survey
from lms.surveys.release import Release

#: Told how many rows of how many an export has written: progress(done, total).
Progress = Callable[[int, int], None]


@dataclass
class Bar:
    label: str
    count: int
    percent: float


@dataclass
class QuestionSummary:
    question: Question
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    #: (row label, bars) for grids
    grid: list[tuple[str, list[Bar]]] = field(default_factory=list)
    mean: float | None = None
    net_promoter: int | None = None
    texts: list[str] = field(default_factory=list)


def _bars(
    labels: list[tuple[str, str]], counts: dict, question_id: int, row: str | None, people: int | None = None
) -> list[Bar]:
    """Bars of each answer and its share of the answers, or of the *people* who answered (several answers each)."""
    found = [(label, counts.get((question_id, row, key), 0)) for key, label in labels]
    total = people or sum(count for _label, count in found) or 1
    return [Bar(label, count, round(100 * count / total, 1)) for label, count in found]


def _choices(question: Question, group: str, language: str, counts: dict, row: str | None = None):
    """(code, label) of the options (or rows) offered, then of the retired ones that answers hold."""
    offered, place = getattr(question, group), 1 if group == "rows" else 2
    held = {key[place] for key, count in counts.items() if key[0] == question.id and count}
    retired = [code for code in getattr(question, f"retired_{group}") if code in held]
    labels = [(code, question.label(group, code, language)) for code in offered]
    return labels + [
        (code, _("%(label)s (no longer offered)", label=question.label(group, code, language))) for code in retired
    ]


def _scale_labels(question: Question, language: str) -> list[tuple[str, str]]:
    kind = question.kind_
    if kind is Kind.AGREE:
        return [(str(value), str(label)) for value, label in AGREE_LABELS.items()]
    low, high = (0, 10) if kind is Kind.NPS else (question.scale_min, question.scale_max)
    return [(str(value), str(value)) for value in range(low, high + 1)]


def _pooled_counts(shown: Release) -> dict[tuple[int, str | None, str], int]:
    """Count each answer of each question over the shown countries: (question, grid row, option or number)."""
    counts: dict[tuple[int, str | None, str], int] = {}
    for (question_id, _country, number), count in api.numeric_distribution(shown).items():
        key = (question_id, None, str(number))
        counts[key] = counts.get(key, 0) + count
    for (question_id, _country, row, option), count in api.choice_counts(shown).items():
        key = (question_id, row, option)
        counts[key] = counts.get(key, 0) + count
    return counts


def summary(survey: Survey, shown: Release, language: str) -> tuple[int, list[QuestionSummary]]:
    """Return the number of responses shown and a summary per question, like Google Forms' summary."""
    responses = shown.total
    if not responses:
        return 0, []
    counts = _pooled_counts(shown)
    people = api.respondents(shown)
    summaries = []
    for question in survey.questions:
        kind = question.kind_
        item = QuestionSummary(question)
        if kind.numeric:
            item.bars = _bars(_scale_labels(question, language), counts, question.id, None)
            total = sum(bar.count for bar in item.bars)
            values = [int(value) for value, _label in _scale_labels(question, language)]
            item.mean = (
                sum(value * bar.count for value, bar in zip(values, item.bars, strict=True)) / total if total else None
            )
            if kind is Kind.NPS and total:
                promoters = sum(bar.count for bar in item.bars[9:])
                detractors = sum(bar.count for bar in item.bars[:7])
                item.net_promoter = round(100 * (promoters - detractors) / total)
        elif kind is Kind.GRID:
            options = _choices(question, "options", language, counts)
            item.grid = [
                (label, _bars(options, counts, question.id, row))
                for row, label in _choices(question, "rows", language, counts)
            ]
        elif kind.choice:
            options = _choices(question, "options", language, counts)
            if question.allow_other:
                options.append((OTHER, _("Other")))
            item.bars = _bars(options, counts, question.id, None, people.get(question.id))
        if kind.textual or question.allow_other:
            written, _total = api.text_answers(shown, question_id=question.id, per_page=200)
            item.texts = [answer.text for answer in written]
        if kind.choice:
            item.answered = people.get(question.id, 0)
        else:
            item.answered = sum(bar.count for bar in item.bars) or len(item.texts)
        summaries.append(item)
    return responses, summaries


#: An export reads the answers of this many responses at a time, and reports its progress after each batch.
BATCH = 500


def _rows_by_response(survey: Survey, shown: Release, progress: Progress | None):
    """Yield (response, {question_id: [answers]}) of the shown responses, in the random order of their keys;
    tell progress(done, total) after each batch."""
    responses = db.session.scalars(select(Response).where(shown.where(Response)).order_by(Response.id)).all()
    for start in range(0, len(responses), BATCH):
        batch = responses[start : start + BATCH]
        ids = [response.id for response in batch]  # shown: their answers are
        answers = select(Answer).where(Answer.response_id.in_(ids)).order_by(Answer.response_id, Answer.position)
        grouped: dict[str, dict[int, list[Answer]]] = {}
        for answer in db.session.scalars(answers):
            grouped.setdefault(answer.response_id, {}).setdefault(answer.question_id, []).append(answer)
        for response in batch:
            yield response, grouped.get(response.id, {})
        if progress is not None:
            progress(start + len(batch), len(responses))


def _dated(response: Response, shown: Release) -> tuple[date | datetime, str]:
    """Return (date, language) as an export may show them.

    An anonymous response is dated by the day its block of at least k answers was complete, not by
    its own day: a day can be matched with a certificate issued that day. Its language is named only
    where enough answered in it.
    """
    if not shown.anonymous:
        return response.submitted_at or response.submitted_on, response.language
    block = shown.block_of(response.country, response.submitted_on)
    language = shown.language_label(response.country, response.submitted_on, response.language)
    return block.last, language


def _written(question: Question, answer: Answer, language: str) -> str:
    """An answer as a person reads it: the text written, else the label of the option chosen."""
    if answer.text or not answer.option_code:
        return (answer.text or "").strip()
    return question.label("options", answer.option_code, language)


def google_layout(
    survey: Survey, shown: Release, emails: dict[int, str], progress: Progress | None = None
) -> list[list]:
    """Rows as Google Forms exports them: Timestamp, (Email Address,) one column per question, then ours."""
    base = survey.base_language
    header = ["Timestamp"] + ([] if survey.anonymous else ["Email Address"])
    for question in survey.questions:
        title = question.text("text", base)
        header += (
            [f"{title} [{question.label('rows', row, base)}]" for row in question.all_rows]
            if question.kind_ is Kind.GRID
            else [title]
        )
    header += ["Country", "Language", "Response ID"]
    rows = [header]
    for response, answers in _rows_by_response(survey, shown, progress):
        stamp, language = _dated(response, shown)
        row = [stamp] + ([] if survey.anonymous else [emails.get(response.user_id, "")])
        for question in survey.questions:
            given = answers.get(question.id, [])
            if question.kind_ is Kind.GRID:
                by_row = {answer.row_code: _written(question, answer, base) for answer in given}
                row += [by_row.get(code, "") for code in question.all_rows]
            elif question.kind_.numeric:
                row.append(given[0].number if given else "")
            else:
                row.append(", ".join(_written(question, answer, base) for answer in given))
        row += [country_name(response.country) if response.country else "", language, response.id]
        rows.append(row)
    return rows


def analysis_layout(survey: Survey, shown: Release, progress: Progress | None = None) -> list[list]:
    """Rows with stable codes: one column per question, grid row and checkbox option, and one for each
    “Other” text; retired options and rows keep their columns."""
    columns: list[tuple[Question, str | None, str | None]] = []
    for question in survey.questions:
        kind = question.kind_
        other = [(question, None, OTHER)] if question.allow_other else []
        if kind is Kind.GRID:
            columns += [(question, row, None) for row in question.all_rows]
        elif kind is Kind.MULTIPLE:
            columns += [(question, None, option) for option in question.all_options] + other
        else:
            columns += [(question, None, None)] + other
    dated = "group_completed_on" if survey.anonymous else "submitted_on"
    header = ["response_id", dated, "country", "language"] + [
        question.code + (f":{row}" if row else "") + (f":{option}" if option else "")
        for question, row, option in columns
    ]
    rows = [header]
    for response, answers in _rows_by_response(survey, shown, progress):
        day, language = _dated(response, shown)
        row = [response.id, day.date() if isinstance(day, datetime) else day, response.country or "", language]
        for question, grid_row, option in columns:
            given = answers.get(question.id, [])
            if grid_row:
                row.append(next((answer.option_code for answer in given if answer.row_code == grid_row), ""))
            elif option == OTHER:
                row.append(next((answer.text or "" for answer in given if answer.option_code == OTHER), ""))
            elif option:
                row.append(1 if any(answer.option_code == option for answer in given) else 0)
            elif question.kind_.numeric:
                row.append(given[0].number if given else "")
            else:
                row.append((given[0].option_code or (given[0].text or "").strip()) if given else "")
        rows.append(row)
    return rows


def codebook(survey: Survey) -> list[list]:
    """What each column and code of the analysis export means: the question, its type, and every code with its
    label in each language of the survey (retired options included, marked so)."""
    languages = survey.languages
    base = survey.base_language
    header = ["column", "question", "type", "code", "status"] + [f"label_{language}" for language in languages]
    rows = [header]

    def labels(make, *args) -> list[str]:
        """make(*args, language) in each language of the survey."""
        out = []
        for language in languages:
            with force_locale(language):
                out.append(str(make(*args, language)))
        return out

    for question in survey.questions:
        kind, title = question.kind_, question.text("text", base)
        if kind.numeric:
            low, high = question.scale_range
            for value in range(low, high + 1):
                rows.append(
                    [question.code, title, kind.value, value, "offered"] + labels(_scale_label, question, value)
                )
        elif kind is Kind.GRID:
            for row in question.all_rows:
                column, text = f"{question.code}:{row}", f"{title} [{question.label('rows', row, base)}]"
                for option in question.all_options:
                    status = "offered" if row in question.rows and option in question.options else "retired"
                    rows.append(
                        [column, text, kind.value, option, status] + labels(_own_label, question, "options", option)
                    )
        elif kind.choice:
            for option in question.all_options:
                column = f"{question.code}:{option}" if kind is Kind.MULTIPLE else question.code
                status = "offered" if option in question.options else "retired"
                rows.append(
                    [column, title, kind.value, 1 if kind is Kind.MULTIPLE else option, status]
                    + labels(_own_label, question, "options", option)
                )
            if question.allow_other:
                if kind is not Kind.MULTIPLE:  # the question's column holds "other", its text the next column
                    rows.append(
                        [question.code, title, kind.value, OTHER, "offered"] + labels(lambda _language: _("Other"))
                    )
                rows.append(
                    [f"{question.code}:{OTHER}", title, kind.value, "text", "offered"]
                    + labels(lambda _language: _("Other"))
                )
        else:
            rows.append([question.code, title, kind.value, "text", "offered"] + labels(lambda _language: ""))
    return rows


def _own_label(question: Question, group: str, code: str, language: str) -> str:
    """The label of an option in *language* only: a codebook leaves a missing translation empty."""
    return ((question.texts.get(language) or {}).get(group) or {}).get(code, "")


def _scale_label(question: Question, value: int, language: str) -> str:
    """The words of a point of a scale: the five labels of agreement, or the end labels of a scale."""
    if question.kind_ is Kind.AGREE:
        return str(AGREE_LABELS[value])
    if question.kind_ is Kind.SCALE and value in (question.scale_min, question.scale_max):
        return question.text("low" if value == question.scale_min else "high", language)
    return str(value)
