"""Results: figures counted by the database, hidden below the threshold, within a trainer's countries."""

import csv
import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from lms.accounts.models import Role
from lms.extensions import db
from lms.surveys.models import Survey


@pytest.fixture
def answered(app, make_app, evaluation, answers, days_pass):
    """Six anonymous responses through the public link, a day ago: relevance 5,5,4,4,2 in Slovenia and 1 in Hungary."""

    def answer(relevance: int, country: str, word: str):
        client = make_app().test_client()
        with app.app_context():
            token = db.session.get(Survey, evaluation).token
        client.submit(
            f"/surveys/s/{token}", {**answers(evaluation, relevance=str(relevance), word=word), "country": country}
        )

    for relevance, country in ((5, "SI"), (5, "SI"), (4, "SI"), (4, "SI"), (2, "SI"), (1, "HU")):
        answer(relevance, country, f"word-{country}-{relevance}")
    days_pass(evaluation)
    return evaluation


def test_the_summary_counts_percentages_and_means(client, trainer, answered, create_user):
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=None)
    client.sign_in("trainer@example.eu")

    html = client.get(f"/surveys/{answered}/results").get_data(as_text=True)

    assert "5 responses" in html  # Hungary is outside this trainer's countries
    assert "mean 4" in html  # (5 + 5 + 4 + 4 + 2) / 5
    assert '<th scope="row">Strongly agree</th><td class="number">2</td><td class="number">40 %</td>' in html
    assert "word-SI-2" in html and "word-HU-1" not in html


def test_anonymous_results_stay_hidden_below_the_threshold(app, client, trainer, evaluation, answers, days_pass):
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    for _number in range(4):
        app.test_client().submit(f"/surveys/s/{token}", {**answers(evaluation), "country": "SI"})
    days_pass(evaluation)
    client.sign_in("trainer@example.eu")

    page = client.get(f"/surveys/{evaluation}/results").get_data(as_text=True)
    export = client.get(f"/surveys/{evaluation}/export.csv").get_data(as_text=True).lstrip("\ufeff")

    assert "in groups of at least 5 answers" in page and "Strongly agree" not in page
    assert "0 responses" in page and len(export.splitlines()) == 1  # the header only: like no answers at all


def test_anonymous_answers_wait_until_their_day_is_over(app, client, trainer, evaluation, answers, days_pass):
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    for _number in range(6):
        app.test_client().submit(f"/surveys/s/{token}", {**answers(evaluation), "country": "SI"})
    client.sign_in("trainer@example.eu")

    today = client.get(f"/surveys/{evaluation}/results").get_data(as_text=True)
    days_pass(evaluation)
    tomorrow = client.get(f"/surveys/{evaluation}/results").get_data(as_text=True)

    assert "0 responses" in today and "6 responses" in tomorrow


def test_the_google_forms_export_keeps_question_order_and_adds_our_columns_at_the_end(client, trainer, answered):
    client.sign_in("trainer@example.eu")

    rows = list(
        csv.reader(io.StringIO(client.get(f"/surveys/{answered}/export.csv").get_data(as_text=True).lstrip("\ufeff")))
    )

    header = rows[0]
    assert header[0] == "Timestamp"
    assert header[1:4] == [
        "The training was relevant to my daily work.",
        "The content was clear and well structured.",
        "The trainers were knowledgeable and answered my questions well.",
    ]
    assert "How useful was each part of the programme for you? [Social media]" in header
    assert header[-3:] == ["Country", "Language", "Response ID"]
    assert len(rows) == 6 and {row[-3] for row in rows[1:]} == {"Slovenia"}
    assert rows[1][header.index("Which parts will you use first?")] == "Residents' stories, Social media"


def test_the_analysis_export_has_codes_and_a_column_per_checkbox(client, trainer, answered):
    client.sign_in("trainer@example.eu")

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/surveys/{answered}/export.csv?layout=analysis").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )

    assert rows[0][:5] == ["response_id", "group_completed_on", "country", "language", "relevance"]
    assert "parts:social-media" in rows[0] and "first-use:stories" in rows[0] and "first-use:other" in rows[0]
    assert rows[1][rows[0].index("first-use:stories")] == "1" and rows[1][rows[0].index("first-use:facts")] == "0"
    assert rows[1][rows[0].index("followed")] == "all"


def test_the_excel_export_is_a_workbook(client, trainer, answered):
    client.sign_in("trainer@example.eu")

    workbook = zipfile.ZipFile(io.BytesIO(client.get(f"/surveys/{answered}/export.xlsx").data))

    assert "xl/worksheets/sheet1.xml" in workbook.namelist()
    assert b"Timestamp" in workbook.read("xl/sharedStrings.xml")


def test_other_people_cannot_reach_a_survey(app, client, evaluation, create_user):
    create_user("learner@example.eu")
    create_user("other.trainer@example.eu", roles=(Role.TRAINER,), countries=("SI",))
    other = app.test_client()
    other.sign_in("other.trainer@example.eu")
    client.sign_in("learner@example.eu")
    with app.app_context():
        db.session.get(Survey, evaluation).published = False
        db.session.commit()

    assert client.get(f"/surveys/{evaluation}/results").status_code == 403
    assert client.get("/surveys/").status_code == 403
    assert other.get(f"/surveys/{evaluation}/results").status_code == 404  # a draft stays its builder's
    assert other.get(f"/surveys/{evaluation}/edit").status_code == 404
    assert other.get(f"/surveys/{evaluation}/export.csv").status_code == 404


def test_every_trainer_reads_a_published_survey_for_their_own_countries_only(app, answered, create_user):
    create_user("trainer.hu@example.eu", roles=(Role.TRAINER,), countries=("HU", "RO", "BG"))
    hungary = app.test_client()
    hungary.sign_in("trainer.hu@example.eu")

    listing = hungary.get("/surveys/").get_data(as_text=True)
    results = hungary.get(f"/surveys/{answered}/results").get_data(as_text=True)
    export = hungary.get(f"/surveys/{answered}/export.csv?layout=analysis").get_data(as_text=True)

    assert "Surveys of the programme" in listing and f"/surveys/{answered}/results" in listing
    assert f"/surveys/{answered}/edit" not in listing and f"/surveys/{answered}/edit" not in results
    assert "0 responses" in results and "word-SI" not in results  # Slovenia is not theirs; Hungary's one is hidden
    assert export.count("\n") == 1  # the header alone
    assert hungary.get(f"/surveys/{answered}/edit").status_code == 404


def test_identified_surveys_show_who_answered_and_export_their_address(
    app, client, trainer, evaluation, answers, create_user, create_organisation
):
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        survey.anonymous = False
        token = survey.token
        db.session.commit()
    create_user("spela@example.si", name="Špela Horvat", organisation_id=create_organisation("Občina Črnomelj", "SI"))
    learner = app.test_client()
    learner.sign_in("spela@example.si")
    learner.submit(f"/surveys/s/{token}", answers(evaluation))
    client.sign_in("trainer@example.eu")

    page = client.get(f"/surveys/{evaluation}/results").get_data(as_text=True)
    rows = list(
        csv.reader(io.StringIO(client.get(f"/surveys/{evaluation}/export.csv").get_data(as_text=True).lstrip("\ufeff")))
    )

    assert "Individual responses" in page and "Špela Horvat" in page
    assert rows[0][:2] == ["Timestamp", "Email Address"] and rows[1][1] == "spela@example.si"
    assert len(rows[1][0]) == len("2026-11-22 13:15:13")


def test_the_analysis_workbook_has_its_codebook_and_dates_excel_reads_as_dates(client, trainer, answered):
    client.sign_in("trainer@example.eu")

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/surveys/{answered}/export.xlsx?layout=analysis").get_data())
    )
    codebook = list(csv.reader(io.StringIO(client.get(f"/surveys/{answered}/codebook.csv").get_data(as_text=True))))

    assert workbook.sheetnames == ["analysis", "codebook"]
    assert isinstance(workbook["analysis"]["B2"].value, datetime)  # the group's day, a date to Excel
    in_book = [[cell.value for cell in row] for row in workbook["codebook"].iter_rows()]
    header = in_book[0]
    assert header[:5] == ["column", "question", "type", "code", "status"] and "label_el" in header
    strongly = next(row for row in in_book if row[0] == "relevance" and row[3] == 5)
    assert strongly[header.index("label_en")] == "Strongly agree"
    assert strongly[header.index("label_el")] == "Συμφωνώ απόλυτα"
    assert any(row[0] == "first-use:stories" and row[3] == 1 for row in in_book)
    assert [row[:5] for row in codebook[1:]] == [[str(value) for value in row[:5]] for row in in_book[1:]]
