"""Survey results: the summary (counted by the database) and exports in two layouts."""

import csv
import io
from dataclasses import dataclass, field

import xlsxwriter
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.i18n import country_name
from lms.surveys import services
from lms.surveys.forms import AGREE_LABELS
from lms.surveys.models import Answer, Kind, Question, Response, Survey


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


def minimum_group() -> int:
    return current_app.config["SURVEY_MIN_GROUP"]


def _bars(labels: list[tuple[str, str]], counts: dict, question_id: int, row: str | None) -> list[Bar]:
    found = [(label, counts.get((question_id, row, key), 0)) for key, label in labels]
    total = sum(count for _label, count in found) or 1
    return [Bar(label, count, round(100 * count / total, 1)) for label, count in found]


def _scale_labels(question: Question, language: str) -> list[tuple[str, str]]:
    kind = question.kind_
    if kind is Kind.AGREE:
        return [(str(value), str(label)) for value, label in AGREE_LABELS.items()]
    low, high = (0, 10) if kind is Kind.NPS else (question.scale_min, question.scale_max)
    return [(str(value), str(value)) for value in range(low, high + 1)]


def summary(survey: Survey, countries: set[str] | None, language: str) -> tuple[int, list[QuestionSummary], bool]:
    """Return the number of responses, a summary per question, and whether results are hidden to protect anonymity."""
    responses = services.response_count(survey, countries)
    if survey.anonymous and responses < minimum_group():
        return responses, [], True
    counts = services.answer_counts(survey, countries)
    means = services.means(survey, countries)
    summaries = []
    for question in survey.questions:
        kind = question.kind_
        item = QuestionSummary(question)
        if kind.numeric:
            item.bars = _bars(_scale_labels(question, language), counts, question.id, None)
            item.mean = means.get(question.id)
            if kind is Kind.NPS and item.bars:
                total = sum(bar.count for bar in item.bars)
                promoters = sum(bar.count for bar in item.bars[9:])
                detractors = sum(bar.count for bar in item.bars[:7])
                item.net_promoter = round(100 * (promoters - detractors) / total) if total else None
        elif kind is Kind.GRID:
            options = [(code, question.label("options", code, language)) for code in question.options]
            item.grid = [
                (question.label("rows", row, language), _bars(options, counts, question.id, row))
                for row in question.rows
            ]
        elif kind.choice:
            options = [(code, question.label("options", code, language)) for code in question.options]
            if question.allow_other:
                options.append(("other", _("Other")))
            item.bars = _bars(options, counts, question.id, None)
        if kind.textual or question.allow_other:
            item.texts = services.text_answers(survey, question, countries)
        if item.grid:
            item.answered = max(sum(bar.count for bar in bars) for _row, bars in item.grid)
        else:
            item.answered = sum(bar.count for bar in item.bars) or len(item.texts)
        summaries.append(item)
    return responses, summaries, False


def _rows_by_response(survey: Survey, countries: set[str] | None):
    """Yield (response, {question_id: [answers]}) in the order people answered, reading answers in one query."""
    query = (
        select(Response)
        .where(Response.survey_id == survey.id)
        .order_by(Response.submitted_on, Response.submitted_at, Response.id)
    )
    answers = select(Answer).where(Answer.survey_id == survey.id).order_by(Answer.response_id, Answer.id)
    if countries is not None:
        query, answers = query.where(Response.country.in_(countries)), answers.where(Answer.country.in_(countries))
    grouped: dict[str, dict[int, list[Answer]]] = {}
    for answer in db.session.scalars(answers):
        grouped.setdefault(answer.response_id, {}).setdefault(answer.question_id, []).append(answer)
    for response in db.session.scalars(query):
        yield response, grouped.get(response.id, {})


def google_layout(survey: Survey, countries: set[str] | None, emails: dict[int, str]) -> list[list]:
    """Rows as Google Forms exports them: Timestamp, (Email Address,) one column per question, then ours."""
    base = survey.base_language
    header = ["Timestamp"] + ([] if survey.anonymous else ["Email Address"])
    for question in survey.questions:
        title = question.text("text", base)
        header += (
            [f"{title} [{question.label('rows', row, base)}]" for row in question.rows]
            if question.kind_ is Kind.GRID
            else [title]
        )
    header += ["Country", "Language", "Response ID"]
    rows = [header]
    for response, answers in _rows_by_response(survey, countries):
        stamp = (
            response.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
            if response.submitted_at
            else response.submitted_on.isoformat()
        )
        row = [stamp] + ([] if survey.anonymous else [emails.get(response.user_id, "")])
        for question in survey.questions:
            given = answers.get(question.id, [])
            if question.kind_ is Kind.GRID:
                by_row = {answer.row_code: question.label("options", answer.option_code, base) for answer in given}
                row += [by_row.get(code, "") for code in question.rows]
            elif question.kind_.numeric:
                row.append(given[0].number if given else "")
            else:
                row.append(
                    ", ".join(
                        answer.text if answer.text else question.label("options", answer.option_code, base)
                        for answer in given
                    )
                )
        row += [country_name(response.country) if response.country else "", response.language, response.id]
        rows.append(row)
    return rows


def analysis_layout(survey: Survey, countries: set[str] | None) -> list[list]:
    """Rows with stable codes: one column per question, grid row and checkbox option."""
    columns: list[tuple[Question, str | None, str | None]] = []
    for question in survey.questions:
        kind = question.kind_
        if kind is Kind.GRID:
            columns += [(question, row, None) for row in question.rows]
        elif kind is Kind.MULTIPLE:
            columns += [
                (question, None, option) for option in question.options + (["other"] if question.allow_other else [])
            ]
        else:
            columns.append((question, None, None))
    header = ["response_id", "submitted_on", "country", "language"] + [
        question.code + (f":{row}" if row else "") + (f":{option}" if option else "")
        for question, row, option in columns
    ]
    rows = [header]
    for response, answers in _rows_by_response(survey, countries):
        row = [response.id, response.submitted_on.isoformat(), response.country or "", response.language]
        for question, grid_row, option in columns:
            given = answers.get(question.id, [])
            if grid_row:
                row.append(next((answer.option_code for answer in given if answer.row_code == grid_row), ""))
            elif option:
                chosen = [answer for answer in given if answer.option_code == option]
                row.append((chosen[0].text or 1) if chosen else 0)
            elif question.kind_.numeric:
                row.append(given[0].number if given else "")
            else:
                row.append(given[0].option_code or given[0].text if given else "")
        rows.append(row)
    return rows


def to_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(rows: list[list], sheet: str) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        for number, row in enumerate(rows):
            worksheet.write_row(number, 0, row, bold if number == 0 else None)
        worksheet.freeze_panes(1, 0)
    return buffer.getvalue()
