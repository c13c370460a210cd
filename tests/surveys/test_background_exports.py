"""Large survey exports are made by a worker and offered to their requester alone, showing exactly what the
direct export would show them; their files expire. Threshold lowered: more than 3 responses is large here."""

import csv
import io
import re
import secrets
from datetime import timedelta

import openpyxl
import pyotp
import pytest
from sqlalchemy import delete, select

from lms.accounts import privacy
from lms.accounts.models import Role, TrainerCountry, User, UserRole
from lms.core.models import Job, JobState
from lms.core.storage import LocalStorage, storage
from lms.core.time import utcnow
from lms.extensions import db
from lms.surveys import results, services
from lms.surveys.models import Survey, SurveyExport
from tests.conftest import ADMIN_SECRET

#: Anonymous answers (k = 5), three days ago: Slovenia's block is shown, Austria's two never, and Hungary's five
#: only to whom Hungary is in scope (the admin; the trainer follows SI, AT, GR and BG).
PLAN = [("SI", "sl")] * 6 + [("AT", "de")] * 2 + [("HU", "hu")] * 5
KINDS = [("google", "csv"), ("google", "xlsx"), ("analysis", "csv"), ("analysis", "xlsx")]


@pytest.fixture
def survey(app, evaluation):
    app.config["EXPORT_BACKGROUND_ROWS"] = 3
    day = utcnow().date() - timedelta(days=3)
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        for number, (country, language) in enumerate(PLAN):
            values = []
            for question in survey.questions:
                if question.kind_.numeric:
                    values.append(services.Value(question, number=question.scale_range[1] - number % 2))
                elif question.code == "word":
                    values.append(services.Value(question, text=f"{country}-{number}"))
            response = services.submit(
                survey, values, language=language, user=None, country=country, link_token=secrets.token_hex(8)
            )
            response.submitted_on = day
            for answer in response.answers:
                answer.submitted_on = day
        db.session.commit()
    return evaluation


@pytest.fixture
def trainer_client(app, trainer):
    """The trainer who built the survey, reading it in Slovenian."""
    with app.app_context():
        db.session.get(User, trainer).language = "sl"
        db.session.commit()
    client = app.test_client()
    client.sign_in("trainer@example.eu")
    return client


@pytest.fixture
def admin_client(app, create_user):
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=ADMIN_SECRET)
    client = app.test_client()
    client.sign_in("admin@example.eu")
    client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(ADMIN_SECRET).now()})
    return client


@pytest.fixture
def other_trainer(app, create_user):
    """A trainer of Austria, who reads the published survey for Austria."""
    create_user("trainer.at@example.eu", roles=(Role.TRAINER,), countries=("AT",))
    client = app.test_client()
    client.sign_in("trainer.at@example.eu")
    return client


def ask(client, survey_id: int, layout: str = "google", file_format: str = "csv"):
    return client.submit(f"/surveys/{survey_id}/exports", {"layout": layout, "file_format": file_format})


def states(client, survey_id: int) -> list[dict]:
    response = client.get(f"/surveys/{survey_id}/exports.json")
    assert response.status_code == 200
    return response.get_json()


def move_back(app, model, column: str) -> None:
    """Let two days pass for every row of *model*: its *column* (a time) moved back."""
    with app.app_context():
        for row in db.session.scalars(select(model)):
            setattr(row, column, getattr(row, column) - timedelta(days=2))
        db.session.commit()


def next_slot(app) -> None:
    """Let the next time slot of the periodic jobs come: those of this one ran already."""
    with app.app_context():
        db.session.execute(delete(Job).where(Job.unique_key.is_not(None)))
        db.session.commit()


def content(data: bytes, file_format: str) -> list:
    """What a spreadsheet shows of a file: CSV rows, or each sheet's cells (a workbook's bytes hold its time)."""
    if file_format == "csv":
        return list(csv.reader(io.StringIO(data.decode().lstrip("\ufeff"))))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in workbook]


def direct(app, client, survey_id: int, layout: str, file_format: str) -> bytes:
    """The export as the same person gets it within the request, with the threshold out of the way."""
    app.config["EXPORT_BACKGROUND_ROWS"] = 10_000
    response = client.get(f"/surveys/{survey_id}/export.{file_format}?layout={layout}")
    app.config["EXPORT_BACKGROUND_ROWS"] = 3
    assert response.status_code == 200
    return response.data


def made_in_background(client, run_jobs, survey_id: int, layout: str, file_format: str):
    ask(client, survey_id, layout, file_format)
    run_jobs()
    [ready] = [
        item for item in states(client, survey_id) if (item["layout"], item["file_format"]) == (layout, file_format)
    ]
    assert ready["state"] == "ready"
    return client.get(ready["download"])


def test_a_large_survey_is_exported_by_a_worker_and_offered_once_ready(app, survey, trainer_client, run_jobs):
    results_page = trainer_client.get(f"/surveys/{survey}/results").get_data(as_text=True)
    assert f'action="/surveys/{survey}/exports"' in results_page and f"/surveys/{survey}/export.csv" not in results_page

    asked = ask(trainer_client, survey)

    assert asked.status_code == 302 and asked.headers["Location"] == f"/surveys/{survey}/exports"
    page = trainer_client.get(f"/surveys/{survey}/exports").get_data(as_text=True)
    assert "Čaka na vrsto" in page  # in the trainer's Slovenian
    assert re.search(r'<a class="button export-download" href="[^"]+" download hidden>', page)
    assert '<script src="/surveys/static/exports.js">' in page and "<script>" not in page
    assert 'aria-live="polite"' in page and f'<a href="/surveys/{survey}/exports">' in page  # reload without script
    with app.app_context():
        [job] = db.session.scalars(select(Job).where(Job.kind == "surveys.export")).all()
        assert job.state == JobState.QUEUED and job.args == {"export_id": db.session.scalar(select(SurveyExport.id))}

    run_jobs()

    [ready] = states(trainer_client, survey)
    assert ready["state"] == "ready" and ready["progress"] is None
    download = trainer_client.get(ready["download"])
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == f'attachment; filename="survey-{survey}-google.csv"'
    page = trainer_client.get(f"/surveys/{survey}/exports").get_data(as_text=True)
    assert f'<a class="button export-download" href="{ready["download"]}" download>' in page


def test_the_page_shows_the_progress_while_the_worker_writes(
    app, make_app, survey, trainer_client, run_jobs, monkeypatch
):
    """Before each row the worker writes, another process (another app on the database) reads the page's JSON."""
    onlooker = make_app(STORAGE_DIR=app.config["STORAGE_DIR"], EXPORT_BACKGROUND_ROWS=3).test_client()
    onlooker.sign_in("trainer@example.eu")
    monkeypatch.setattr(results, "BATCH", 2)
    rows_of, seen, pages = results._rows_by_response, [], []

    def watched(*args):
        for row in rows_of(*args):
            seen.append(states(onlooker, survey)[0])
            if len(seen) == 5:
                pages.append(onlooker.get(f"/surveys/{survey}/exports").get_data(as_text=True))
            yield row

    monkeypatch.setattr(results, "_rows_by_response", watched)
    ask(trainer_client, survey)

    run_jobs()

    assert [item["state"] for item in seen] == ["running"] * 6  # the trainer is shown Slovenia's 6
    assert [item["progress"] for item in seen] == [None, None, 33, 33, 66, 66]
    assert [item["status"] for item in seen[::2]] == ["V izdelavi: 0 %", "V izdelavi: 33 %", "V izdelavi: 66 %"]
    assert '<progress max="100" value="66" aria-hidden="true">' in pages[0] and "V izdelavi: 66 %" in pages[0]
    assert states(trainer_client, survey)[0]["state"] == "ready"


@pytest.mark.parametrize(("layout", "file_format"), KINDS)
def test_the_file_is_what_the_direct_export_gives_the_same_person(
    app, survey, trainer_client, admin_client, run_jobs, layout, file_format
):
    readers = (
        (trainer_client, {"SI": "Slovenija"}),  # in Slovenian; Austria's two are a group too small to show
        (admin_client, {"SI": "Slovenia", "HU": "Hungary"}),  # in English; all countries
    )
    for client, countries in readers:
        expected = direct(app, client, survey, layout, file_format)

        download = made_in_background(client, run_jobs, survey, layout, file_format)

        assert download.status_code == 200
        assert content(download.data, file_format) == content(expected, file_format)
        if file_format == "csv":
            rows = content(download.data, "csv")[1:]
            shown = [row[2] for row in rows] if layout == "analysis" else [row[-3] for row in rows]
            assert set(shown) == set(countries if layout == "analysis" else countries.values())
            assert len(shown) == 6 + 5 * ("HU" in countries)


def test_only_the_requester_downloads_it(app, survey, trainer_client, admin_client, other_trainer, client, run_jobs):
    ready = made_in_background(trainer_client, run_jobs, survey, "google", "csv")
    [item] = states(trainer_client, survey)

    assert ready.status_code == 200
    assert other_trainer.get(item["download"]).status_code == 404  # reads the survey, for Austria: not this file
    assert admin_client.get(item["download"]).status_code == 404  # reads everything, but did not ask for it
    assert states(other_trainer, survey) == [] and states(admin_client, survey) == []
    assert client.get(item["download"]).headers["Location"].startswith("/accounts/sign-in")


def test_the_requester_downloads_it_only_while_they_may_still_read_what_it_holds(
    app, survey, trainer, trainer_client, run_jobs
):
    made_in_background(trainer_client, run_jobs, survey, "google", "csv")
    [item] = states(trainer_client, survey)
    with app.app_context():
        db.session.execute(
            TrainerCountry.__table__.delete().where(TrainerCountry.user_id == trainer, TrainerCountry.country == "SI")
        )
        db.session.commit()

    assert trainer_client.get(item["download"]).status_code == 404  # the file covers Slovenia, no longer theirs

    with app.app_context():
        db.session.execute(UserRole.__table__.delete().where(UserRole.user_id == trainer))
        db.session.commit()
    assert trainer_client.get(item["download"]).status_code == 403


def test_a_large_survey_sends_the_direct_link_to_the_exports_page(survey, trainer_client):
    response = trainer_client.get(f"/surveys/{survey}/export.csv", follow_redirects=True)

    assert response.request.path == f"/surveys/{survey}/exports"
    html = response.get_data(as_text=True)
    assert (
        "Ta anketa ima veliko odgovorov: njeni izvozi se pripravijo v ozadju." in html
        and "<h1>Vaši izvozi</h1>" in html
    )


def test_a_small_survey_keeps_the_direct_download(app, survey, trainer_client):
    app.config["EXPORT_BACKGROUND_ROWS"] = 6  # the trainer is shown 6

    page = trainer_client.get(f"/surveys/{survey}/results").get_data(as_text=True)
    export = trainer_client.get(f"/surveys/{survey}/export.csv")

    assert f'href="/surveys/{survey}/export.csv"' in page and f'action="/surveys/{survey}/exports"' not in page
    assert export.status_code == 200 and len(content(export.data, "csv")) == 7


def test_asking_again_while_it_is_made_queues_nothing_more(app, survey, trainer_client):
    ask(trainer_client, survey)
    ask(trainer_client, survey)
    ask(trainer_client, survey, "analysis", "xlsx")

    labels = [item["label"] for item in states(trainer_client, survey)]
    assert labels == ["Excel za analizo, s šifrantom", "CSV (oblika Google Forms)"]  # the latest first
    with app.app_context():
        assert len(db.session.scalars(select(Job).where(Job.kind == "surveys.export")).all()) == 2


@pytest.mark.parametrize(("layout", "file_format"), [("pdf", "csv"), ("google", "exe"), ("", "")])
def test_a_malformed_request_is_refused(app, survey, trainer_client, layout, file_format):
    assert ask(trainer_client, survey, layout, file_format).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(SurveyExport.id)) is None


def exports_stored(app) -> list[str]:
    with app.app_context():
        return storage().keys("exports")


def test_an_export_expires_with_its_file(app, survey, trainer_client, run_jobs):
    made_in_background(trainer_client, run_jobs, survey, "google", "csv")
    [item] = states(trainer_client, survey)
    assert len(exports_stored(app)) == 1

    move_back(app, SurveyExport, "expires_at")

    assert states(trainer_client, survey) == []  # gone for the person at once, whenever the job runs
    assert trainer_client.get(item["download"]).status_code == 404
    next_slot(app)
    run_jobs()  # the tick queues surveys.expire_exports
    assert exports_stored(app) == []
    with app.app_context():
        assert db.session.scalar(select(SurveyExport.id)) is None


def test_a_failing_export_shows_as_failed_and_can_be_asked_again(
    app, survey, trainer_client, admin_client, run_jobs, monkeypatch
):
    def full(self, data, *args):
        raise OSError("No space left on device")

    monkeypatch.setattr(LocalStorage, "save", full)
    ask(trainer_client, survey)

    run_jobs()

    [item] = states(trainer_client, survey)
    assert item["state"] == "retrying"
    for _attempt in range(2):
        move_back(app, Job, "run_at")
        run_jobs()
    [item] = states(trainer_client, survey)
    assert item["state"] == "failed" and item["status"].startswith("Ni uspelo.")
    page = trainer_client.get(f"/surveys/{survey}/exports").get_data(as_text=True)
    assert re.search(r'<div class="export-retry">\s*<form method="post"', page)  # the button to try again, shown
    jobs_page = admin_client.get("/jobs?state=failed").get_data(as_text=True)
    assert "OSError: No space left on device" in jobs_page

    monkeypatch.undo()
    ask(trainer_client, survey)
    run_jobs()

    [item] = states(trainer_client, survey)  # the failed one replaced
    assert item["state"] == "ready"


def test_the_job_gives_up_when_the_requester_may_no_longer_read_the_survey(
    app, survey, trainer, trainer_client, run_jobs
):
    ask(trainer_client, survey)
    with app.app_context():  # no longer a trainer, before a worker takes the job
        db.session.execute(UserRole.__table__.delete().where(UserRole.user_id == trainer))
        db.session.commit()

    run_jobs()

    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "surveys.export"))
        assert job.state == JobState.FAILED and job.attempts == 1 and "may no longer read" in job.error
        assert db.session.scalar(select(SurveyExport.storage_key)) is None
    assert exports_stored(app) == []  # nothing was ever stored


def test_erasing_a_person_deletes_every_export(app, survey, trainer, trainer_client, admin_client, run_jobs):
    made_in_background(trainer_client, run_jobs, survey, "google", "csv")
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.eu"))
        privacy.erase(db.session.get(User, trainer), admin)
        db.session.commit()
        assert db.session.scalar(select(SurveyExport.id)) is None
    assert exports_stored(app) == []
