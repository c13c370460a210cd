"""Importing a Google Forms responses CSV: columns matched by title, every row checked, all or nothing."""

import io
import os
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.models import Job, JobState
from lms.extensions import db
from lms.surveys import results
from lms.surveys import services as surveys
from lms.surveys.models import Answer, Response, Survey
from lms.surveys.release import View, release

GOOGLE_CSV = """Timestamp,Email Address,The training was relevant to my daily work.,\
How useful was each part of the programme for you? [Social media],\
Which parts will you use first?,What worked well for you?,Score
2021/10/05 3:14:07 PM GMT+2,a@example.eu,5,Very useful,\
"Residents' stories, Social media, Posters in the library","Great ""hands-on"" tips
and examples",
8/4/2025 23:25:41,b@example.eu,4,Somewhat useful,Facts and figures against myths,,
2026-10-10 16:32:40,c@example.eu,3,,,,
"""


def upload(client, survey_id: int, text: str):
    return client.submit(
        f"/surveys/{survey_id}/import",
        {"file": (io.BytesIO(text.encode()), "responses.csv")},
        content_type="multipart/form-data",
    )


def confirm(client, survey_id: int, page: str, country: str = "SI"):
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    mapping = {
        name: value
        for name, value in re.findall(r'<select id="(c\d+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S)
    }
    return client.submit(f"/surveys/{survey_id}/import", {"key": key, "country": country, **mapping})


def test_a_google_forms_file_is_matched_and_imported(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")

    page = upload(client, evaluation, GOOGLE_CSV).get_data(as_text=True)
    done = confirm(client, evaluation, page)

    assert "The training was relevant to my daily work." in page and "Posters in the library" in page
    assert done.headers["Location"] == f"/surveys/{evaluation}/results"
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        responses = db.session.scalars(select(Response).order_by(Response.submitted_on)).all()
        assert [str(response.submitted_on) for response in responses] == ["2021-10-05", "2025-08-04", "2026-10-10"]
        assert {response.source for response in responses} == {"import"} and survey.response_count == 3
        by_code = {question.code: question.id for question in survey.questions}
        first = {(a.question_id, a.option_code, a.number, a.text, a.row_code) for a in responses[0].answers}
        assert (by_code["relevance"], None, 5, None, None) in first
        assert (by_code["parts"], "very", None, None, "social-media") in first
        assert {
            (by_code["first-use"], "stories", None, None, None),
            (by_code["first-use"], "social-media", None, None, None),
            (by_code["first-use"], "other", None, "Posters in the library", None),
        } <= first
        assert (by_code["successes"], None, None, 'Great "hands-on" tips\nand examples', None) in first


def test_a_wrong_row_is_reported_by_line_and_nothing_is_imported(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    page = upload(
        client, evaluation, GOOGLE_CSV.replace("8/4/2025 23:25:41,b@example.eu,4,", "8/4/2025 23:25:41,b@example.eu,7,")
    ).get_data(as_text=True)

    response = confirm(client, evaluation, page)

    assert response.status_code == 422
    assert "Line 3: “7” is not a number from 1 to 5" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Answer.response_id)) is None and db.session.scalar(select(Response.id)) is None


def test_a_file_that_is_not_a_google_forms_export_is_refused(client, trainer, evaluation):
    client.sign_in("trainer@example.eu")

    response = upload(client, evaluation, "Name,Answer\nAna,Yes\n")

    assert "its first column must be “Timestamp”" in response.get_data(as_text=True)


def test_an_export_from_a_form_in_another_language_is_recognised(client, trainer, evaluation):
    client.sign_in("trainer@example.eu")

    page = upload(
        client,
        evaluation,
        GOOGLE_CSV.replace("Timestamp,Email Address", "Informazioni cronologiche,Indirizzo email", 1),
    )

    assert "Match the columns" in page.get_data(as_text=True)


def pending_uploads(app) -> list:
    folder = Path(app.config["STORAGE_DIR"]) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_a_worker_removes_the_uploads_older_than_a_day_on_its_own(app, client, trainer, evaluation, run_jobs):
    client.sign_in("trainer@example.eu")
    upload(client, evaluation, GOOGLE_CSV)
    upload(client, evaluation, GOOGLE_CSV)
    old, young = pending_uploads(app)
    age(old, 25)
    age(young, 23)

    run_jobs()  # the minute tick queues surveys.expire_uploads, and it runs

    assert pending_uploads(app) == [young]
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "surveys.expire_uploads"))
        assert job.state == JobState.DONE
    assert client.get(f"/surveys/{evaluation}/import").status_code == 200  # the page no longer sweeps itself


def test_the_mapping_of_an_expired_upload_says_so_and_offers_to_upload_again(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    page = upload(client, evaluation, GOOGLE_CSV).get_data(as_text=True)
    [pending] = pending_uploads(app)
    age(pending, 25)

    response = confirm(client, evaluation, page)

    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "The uploaded file has expired. Please upload it again." in html and 'type="file"' in html
    with app.app_context():
        assert db.session.scalar(select(Response.id)) is None


def test_lms_surveys_expire_uploads_removes_what_is_older_than_a_day(app, client, trainer, evaluation, runner):
    client.sign_in("trainer@example.eu")
    for _ in range(3):
        upload(client, evaluation, GOOGLE_CSV)
    old, *young = pending_uploads(app)
    age(old, 30)

    result = runner.invoke(args=["surveys", "expire-uploads"])

    assert result.exit_code == 0 and result.output == "1 expired upload(s) removed.\n"
    assert pending_uploads(app) == sorted(young)


def test_an_anonymous_survey_never_mixes_imported_answers_with_answers_given_here(
    app, client, trainer, evaluation, answers
):
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    app.test_client().submit(f"/surveys/s/{token}", {**answers(evaluation), "country": "SI"})
    client.sign_in("trainer@example.eu")

    refused = upload(client, evaluation, GOOGLE_CSV)

    # k − 1 imported rows, whose dates the importer chooses, would single out one real answer.
    assert refused.status_code == 422 and "Import them into a copy of the survey" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Response.id).where(Response.source == "import")) is None


def test_an_anonymous_survey_with_imported_answers_takes_no_more_answers_here(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    confirm(client, evaluation, upload(client, evaluation, GOOGLE_CSV).get_data(as_text=True))
    with app.app_context():
        token = db.session.get(Survey, evaluation).token

    form = app.test_client().get(f"/surveys/s/{token}")
    reopened = client.submit(f"/surveys/{evaluation}/edit", {"title": "Evaluation", "anonymous": "y", "course": ""})

    assert form.status_code == 410
    assert "it stays closed" in reopened.get_data(as_text=True)


def test_imports_stay_within_the_trainers_countries_and_dates_that_can_be(client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    page = upload(client, evaluation, GOOGLE_CSV).get_data(as_text=True)

    elsewhere = confirm(client, evaluation, page, country="IT")  # the trainer follows SI, AT, GR and BG
    future = confirm(
        client,
        evaluation,
        upload(client, evaluation, GOOGLE_CSV.replace("2026-10-10", "2999-10-10")).get_data(as_text=True),
    )

    assert elsewhere.status_code == 422 and "Not a valid choice" in elsewhere.get_data(as_text=True)
    assert future.status_code == 422 and "lies in the future or before 2000" in future.get_data(as_text=True)


def test_importing_the_same_file_again_adds_nothing_and_says_so(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    confirm(client, evaluation, upload(client, evaluation, GOOGLE_CSV).get_data(as_text=True))

    again = confirm(client, evaluation, upload(client, evaluation, GOOGLE_CSV).get_data(as_text=True))

    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "0 responses imported." in page and "3 rows were imported before and are skipped." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 3


def test_each_rows_country_comes_from_a_mapped_column_within_the_trainers_countries(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    with_countries = GOOGLE_CSV.replace(",Score\n", ",Score,Country\n", 1)
    lines = with_countries.split("\n")
    lines[2] += ",Ελλάδα"  # the first row runs over two lines
    lines[3] += ",BG"
    lines[4] += ",Slovenia"
    page = upload(client, evaluation, "\n".join(lines)).get_data(as_text=True)

    done = confirm(client, evaluation, page, country="")
    italy = confirm(
        client,
        evaluation,
        upload(client, evaluation, "\n".join(lines).replace(",BG", ",Italia")).get_data(as_text=True),
    )

    assert '<option value="country" selected>' in page
    assert done.status_code == 302
    assert italy.status_code == 422 and "Italy is not one of your countries" in italy.get_data(as_text=True)
    with app.app_context():
        countries = db.session.scalars(select(Response.country).order_by(Response.submitted_on)).all()
        assert countries == ["GR", "BG", "SI"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOGLE_CSV[: GOOGLE_CSV.index("and examples")], "ends inside a quoted text"),
        (GOOGLE_CSV.rstrip("\n").rsplit(",", 2)[0] + "\n", "Line 4 has 5 columns where the header has 7"),
        (GOOGLE_CSV.replace(",", ";"), "separated by semicolons"),
    ],
    ids=["cut inside a quoted answer", "cut in the middle of a row", "semicolons"],
)
def test_a_cut_or_semicolon_file_is_refused_and_nothing_is_kept(app, client, trainer, evaluation, text, message):
    client.sign_in("trainer@example.eu")

    response = upload(client, evaluation, text)

    assert message in response.get_data(as_text=True)
    assert pending_uploads(app) == []


def test_the_export_of_another_form_is_refused_before_anything_is_imported(app, client, trainer, evaluation):
    other_form = (
        "Timestamp,Which municipality?,How many staff?,Favourite poster,Would you attend again?\n"
        "2026/01/05 10:00:00,Varna,12,Blue,Yes\n"
        "2026/01/06 11:00:00,Burgas,8,Red,No\n"
    )
    client.sign_in("trainer@example.eu")
    page = upload(client, evaluation, other_form).get_data(as_text=True)

    response = confirm(client, evaluation, page)

    assert response.status_code == 422
    assert "Only 0 of the file&#39;s 4 columns are matched to questions" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Response.id)) is None


def test_a_greek_export_with_greek_labels_and_timestamps_is_imported_as_it_was_answered(
    app, client, trainer, evaluation
):
    greek = (
        "Χρονική σήμανση,Διεύθυνση ηλεκτρονικού ταχυδρομείου,Ποια μέρη θα αξιοποιήσετε πρώτα;,"
        "Σε ποιο βαθμό παρακολουθήσατε την εκπαίδευση;\n"
        '5/1/2026 10:00:00 π.μ.,eleni@example.gr,"Ιστορίες κατοίκων, Γεγονότα και στοιχεία απέναντι στους μύθους",'
        "Στο σύνολό της\n"
        "13/1/2026 4:30:00 μ.μ.,nikos@example.gr,Μέσα κοινωνικής δικτύωσης,Εν μέρει\n"
    )
    client.sign_in("trainer@example.eu")
    page = upload(client, evaluation, greek).get_data(as_text=True)

    done = confirm(client, evaluation, page, country="GR")

    assert "The file holds 2 responses." in page
    assert "Διεύθυνση ηλεκτρονικού ταχυδρομείου" in page.split("Not imported")[1].split("</li>")[0]
    assert done.status_code == 302
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        codes = {question.id: question.code for question in survey.questions}
        stored = db.session.execute(
            select(Response.submitted_on, Answer.question_id, Answer.option_code)
            .join(Answer, Answer.response_id == Response.id)
            .order_by(Response.submitted_on, Answer.option_code)
        ).all()
        assert [(str(day), codes[question], option) for day, question, option in stored] == [
            ("2026-01-05", "followed", "all"),
            ("2026-01-05", "first-use", "facts"),
            ("2026-01-05", "first-use", "stories"),
            ("2026-01-13", "first-use", "social-media"),
            ("2026-01-13", "followed", "some"),
        ]
        assert db.session.scalar(select(Answer).where(Answer.text.contains("@"))) is None


def test_cancelling_an_import_deletes_the_uploaded_file(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    page = upload(client, evaluation, GOOGLE_CSV).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)

    cancelled = client.submit(f"/surveys/{evaluation}/import", {"key": key, "action": "cancel"})

    assert cancelled.status_code == 302 and pending_uploads(app) == []


def test_the_platforms_own_export_reimports_into_a_copy_with_the_same_figures(
    app, client, trainer, evaluation, answers, make_app, days_pass
):
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    for number in range(6):
        data = answers(evaluation, relevance=str(1 + number % 5), word=f"word-{number}")
        data["q" + str(_question_id(app, evaluation, "first-use")) + "_other"] = "Radio" if number % 2 else ""
        make_app().test_client().submit(f"/surveys/s/{token}", {**data, "country": "SI"})
    days_pass(evaluation)
    client.sign_in("trainer@example.eu")
    exported = client.get(f"/surveys/{evaluation}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    with app.app_context():
        copy = surveys.duplicate(db.session.get(Survey, evaluation), db.session.get(User, trainer))
        copy.published = True
        db.session.commit()
        copy_id = copy.id

    done = confirm(client, copy_id, upload(client, copy_id, exported).get_data(as_text=True), country="")

    assert done.status_code == 302
    with app.app_context():
        figures = [
            [(bar.label, bar.count) for item in summary for bar in item.bars]
            + [(label, [bar.count for bar in bars]) for item in summary for label, bars in item.grid]
            + [sorted(item.texts) for item in summary]
            for survey_id in (evaluation, copy_id)
            for _count, summary in [results.summary(*_shown(survey_id), "en")]
        ]
        assert figures[0] == figures[1] and any(count for label, count in figures[0][:5])


def _question_id(app, survey_id: int, code: str) -> int:
    with app.app_context():
        return next(q.id for q in db.session.get(Survey, survey_id).questions if q.code == code)


def _shown(survey_id: int):
    survey = db.session.get(Survey, survey_id)
    return survey, release(survey, View(countries=frozenset({"SI"})))


def test_a_re_download_with_other_extra_columns_or_country_names_is_still_recognised(app, client, trainer, evaluation):
    with_countries = GOOGLE_CSV.replace(",Score\n", ",Score,Country\n", 1).split("\n")
    for line, country in ((2, "Slovenia"), (3, "Austria"), (4, "Greece")):
        with_countries[line] += f",{country}"
    first = "\n".join(with_countries)
    # The same answers, downloaded again: no e-mail column, countries named in Greek, a formula kept as text.
    second = first.replace("Timestamp,Email Address,", "Timestamp,", 1)
    second = re.sub(r"^([^,\n]*),[^,\n]*@example\.eu,", r"\1,", second, flags=re.M)
    second = second.replace(",Slovenia", ",Σλοβενία").replace(",Austria", ",Αυστρία").replace(",Greece", ",Ελλάδα")
    client.sign_in("trainer@example.eu")
    confirm(client, evaluation, upload(client, evaluation, first).get_data(as_text=True), country="")

    again = confirm(client, evaluation, upload(client, evaluation, second).get_data(as_text=True), country="")

    assert "3 rows were imported before" in client.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 3


def test_a_question_titled_country_keeps_its_column_and_a_protected_formula_comes_back_as_written(
    app, client, trainer, evaluation
):
    with app.app_context():
        word = next(q for q in db.session.get(Survey, evaluation).questions if q.code == "word")
        word.texts = {**word.texts, "en": {**word.texts["en"], "text": "Country"}}
        db.session.commit()
        word_id = word.id
    exported = (
        "Timestamp,The training was relevant to my daily work.,Country,Country\n"
        '2026/01/05 10:00:00,5,\'=HYPERLINK("http://evil.example"),Slovenia\n'
    )
    client.sign_in("trainer@example.eu")
    page = upload(client, evaluation, exported).get_data(as_text=True)

    done = confirm(client, evaluation, page, country="")

    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Answer.text).where(Answer.question_id == word_id)) == (
            '=HYPERLINK("http://evil.example")'
        )
        assert db.session.scalar(select(Response.country)) == "SI"


def test_a_refused_upload_answers_422(client, trainer, evaluation):
    client.sign_in("trainer@example.eu")

    assert upload(client, evaluation, GOOGLE_CSV.replace(",", ";")).status_code == 422
