"""Attacks on the anonymity of an anonymous survey, as a trainer, an admin and someone with the database would try.

Every figure, list and export is read through the platform's own pages, with every filter a reader
can set; each attack must recover nothing: no group of 1 to k−1 people, shown or worked out by
subtracting one figure from another. The same attacks run on SQLite and on PostgreSQL.

The answers (k = 5), by country, month and language, for a trainer of Italy, Austria and Slovenia:
- Slovenia: 6 in month −4 and 4 in month −3 (two blocks of 5), then 2 in month −2 that wait;
- Italy: 5 in month −3, one of them in English, then 2 in month −1 that wait;
- Austria: 2 in month −2, never shown;
- Hungary (outside the trainer's countries): 6 today, shown from tomorrow, to admins.
"""

import csv
import io
import re
import secrets
from datetime import date

import pytest
from sqlalchemy import select, text

from lms.accounts.models import Role, TrainerCountry, User
from lms.core.time import utcnow
from lms.courses import services as courses
from lms.courses.models import Course
from lms.extensions import db
from lms.surveys import services
from lms.surveys.models import Answer, Participation, Survey
from tests.conftest import ADMIN_SECRET

K = 5


def month(offset: int, day: int = 1) -> date:
    """Return *day* of the month *offset* months from this one (−1: last month)."""
    today = utcnow().date()
    index = today.year * 12 + today.month - 1 + offset
    return date(index // 12, index % 12 + 1, day)


#: (country, day, language) of each answer; its written answer says "<country>-<number>".
PLAN = (
    [("SI", month(-4, 3 + n), "sl") for n in range(6)]
    + [("SI", month(-3, 3 + n), "sl") for n in range(4)]
    + [("SI", month(-2, 3 + n), "sl") for n in range(2)]
    + [("IT", month(-3, 10 + n), "en" if n == 2 else "it") for n in range(5)]
    + [("IT", month(-1, 10 + n), "it") for n in range(2)]
    + [("AT", month(-2, 20 + n), "de") for n in range(2)]
    + [("HU", utcnow().date(), "hu") for _ in range(6)]
)
SHOWN = {"Slovenia": 10, "Italy": 5}


def respond(app, survey_id: int, country: str, day: date, language: str, word: str, user_id=None) -> str:
    """Answer through the service as a person would, then let the days pass to *day*."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        values = []
        for question in survey.questions:
            kind = question.kind_
            if kind.numeric:
                values.append(services.Value(question, number=question.scale_max or (9 if kind.value == "nps" else 4)))
            elif question.code == "word":
                values.append(services.Value(question, text=word))
        user = db.session.get(User, user_id) if user_id else None
        response = services.submit(
            survey, values, language=language, user=user, country=country, link_token=secrets.token_hex(8)
        )
        response.submitted_on = day
        for answer in response.answers:
            answer.submitted_on = day
        db.session.commit()
        return response.id


@pytest.fixture
def survey(app, evaluation):
    for number, (country, day, language) in enumerate(PLAN):
        respond(app, evaluation, country, day, language, f"{country}-{number}")
    return evaluation


@pytest.fixture
def trainer_client(app, trainer):
    """The trainer who made the survey, for Italy, Austria and Slovenia."""
    with app.app_context():
        user = db.session.get(User, trainer)
        user.country_rows = [TrainerCountry(country=code) for code in ("IT", "AT", "SI")]
        db.session.commit()
    client = app.test_client()
    client.sign_in("trainer@example.eu")
    return client


@pytest.fixture
def admin_client(app, create_user):
    import pyotp

    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=ADMIN_SECRET)
    client = app.test_client()
    client.sign_in("admin@example.eu")
    client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(ADMIN_SECRET).now()})
    return client


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def country_counts(client, survey_id: int, **filters) -> dict[str, int]:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    rows = rows_of(client.get(f"/dashboards/countries.csv?survey={survey_id}&{query}"))
    return {row[0]: int(row[1]) for row in rows[1:]}


def small(number: int) -> bool:
    return 0 < number < K


def test_exports_leave_out_small_groups_and_waiting_answers_for_everyone(survey, trainer_client, admin_client):
    for client in (trainer_client, admin_client):
        google = rows_of(client.get(f"/surveys/{survey}/export.csv"))
        analysis = rows_of(client.get(f"/surveys/{survey}/export.csv?layout=analysis"))
        workbook = client.get(f"/surveys/{survey}/export.xlsx")

        countries = [row[-3] for row in google[1:]]
        assert sorted(countries) == sorted(["Slovenia"] * 10 + ["Italy"] * 5)  # not Austria's 2, not today's 6
        assert sorted(row[2] for row in analysis[1:]) == sorted(["SI"] * 10 + ["IT"] * 5)
        assert workbook.status_code == 200 and b"Austria" not in workbook.data and b"Hungary" not in workbook.data


def test_export_rows_are_not_in_the_order_people_answered_and_carry_the_day_their_group_was_complete(
    survey, admin_client
):
    google = rows_of(admin_client.get(f"/surveys/{survey}/export.csv"))
    word = google[0].index(next(column for column in google[0] if column.startswith("In one word")))
    numbers = [int(row[word].split("-")[1]) for row in google[1:]]
    days = {row[-3]: set() for row in google[1:]}
    for row in google[1:]:
        days[row[-3]].add(row[0])

    assert numbers != sorted(numbers) and numbers != sorted(numbers, reverse=True)
    # Slovenia's two blocks were complete on the 7th of month −4 and the 6th of month −3: no other day shows.
    assert days["Slovenia"] == {month(-4, 7).isoformat(), month(-3, 6).isoformat()}
    assert days["Italy"] == {month(-3, 14).isoformat()}


def test_the_english_answer_in_italy_is_never_named_nor_filtered_out(survey, trainer_client, admin_client):
    for client in (trainer_client, admin_client):
        everything = client.get(f"/dashboards/answers?survey={survey}&country=IT").get_data(as_text=True)
        english = client.get(f"/dashboards/answers?survey={survey}&country=IT&language=en").get_data(as_text=True)
        italian = client.get(f"/dashboards/answers?survey={survey}&country=IT&language=it").get_data(as_text=True)
        export = rows_of(client.get(f"/surveys/{survey}/export.csv?layout=analysis"))

        assert "IT-14" in everything and "English" not in everything.split('<ul class="text-answers">')[1]
        # Neither filter may show a part of Italy's block: the rest would be the one English answer.
        assert not re.search(r"IT-\d+", english) and not re.search(r"IT-\d+", italian)
        assert {row[3] for row in export[1:] if row[2] == "IT"} == {"other"}


def test_totals_agree_everywhere_so_that_nothing_is_left_to_subtract(survey, trainer_client, admin_client):
    for client, expected in ((trainer_client, SHOWN), (admin_client, SHOWN)):
        results = client.get(f"/surveys/{survey}/results").get_data(as_text=True)
        dashboard = client.get(f"/dashboards/?survey={survey}").get_data(as_text=True)
        listing = client.get("/surveys/").get_data(as_text=True)
        counts = country_counts(client, survey)

        total = sum(expected.values())
        assert counts == {"Slovenia": 10, "Italy": 5}
        assert f"{total} responses" in results
        assert f'<th scope="row">Countries shown</th><td class="number">{total}</td>' in dashboard
        assert "Austria</th>" not in dashboard and "Hungary</th>" not in dashboard
        assert re.search(rf'<td class="number">{total}</td>', listing)  # the survey list counts the same
        months = rows_of(client.get(f"/dashboards/months.csv?survey={survey}"))
        for column, name in enumerate(months[0][1:], start=1):
            cells = [int(row[column]) for row in months[1:] if row[column]]
            assert not any(small(cell) for cell in cells)
            assert sum(cells) == counts[name]  # the months add up to the country: no hidden month to subtract


def test_no_period_and_no_choice_of_countries_isolates_anyone(survey, trainer_client):
    everything = country_counts(trainer_client, survey)
    months = [month(offset).strftime("%Y-%m") for offset in range(-6, 1)]
    for start in months:
        for end in months[months.index(start) :]:
            for countries in ({}, {"country": "IT"}, {"country": "SI"}):
                part = country_counts(trainer_client, survey, **{"from": start, "to": end}, **countries)
                for name, whole in everything.items():
                    inside = part.get(name, 0)
                    assert not small(inside) and not small(whole - inside), (start, end, name, inside, whole)


def test_new_answers_change_nothing_until_a_new_group_of_k_is_complete(app, survey, trainer_client, days_pass):
    before = trainer_client.get(f"/dashboards/countries.csv?survey={survey}").get_data(as_text=True)
    for number in range(3):
        respond(app, survey, "IT", utcnow().date(), "it", f"IT-late-{number}")
    today = trainer_client.get(f"/dashboards/countries.csv?survey={survey}").get_data(as_text=True)
    days_pass(survey, 1)  # Italy now has 2 + 3 waiting, from days that are over: a block of 5
    tomorrow = country_counts(trainer_client, survey)

    assert today == before
    assert tomorrow["Italy"] - SHOWN["Italy"] == K


def test_a_trainer_and_an_admin_see_the_same_figures_of_the_same_country(survey, trainer_client, admin_client):
    for name in ("scales", "months", "countries"):
        mine = rows_of(trainer_client.get(f"/dashboards/{name}.csv?survey={survey}&country=SI"))
        theirs = rows_of(admin_client.get(f"/dashboards/{name}.csv?survey={survey}&country=SI"))
        assert mine == theirs, name


def test_written_answers_come_in_an_order_unrelated_to_submission(app, evaluation, trainer_client, days_pass):
    for number in range(12):
        respond(app, evaluation, "SI", month(-1, 1 + number), "sl", f"SI-{number:02d}")
    page = trainer_client.get(f"/dashboards/answers?survey={evaluation}").get_data(as_text=True)
    results = trainer_client.get(f"/surveys/{evaluation}/results").get_data(as_text=True)

    for listing in (page, results):
        numbers = [int(found) for found in re.findall(r"SI-(\d\d)", listing)]
        assert len(numbers) == 10  # two wait for three more
        assert numbers != sorted(numbers) and numbers != sorted(numbers, reverse=True)


@pytest.fixture
def evaluated(app, evaluation, create_organisation, create_user):
    """People of three local authorities who took the course and answered its anonymous evaluation."""
    lampedusa = create_organisation("Comune di Lampedusa e Linosa", "IT")
    favignana = create_organisation("Comune di Favignana", "IT")
    traiskirchen = create_organisation("Stadtgemeinde Traiskirchen", "AT")
    people = (
        [(lampedusa, "IT")] * 6 + [(favignana, "IT")] * 1 + [(traiskirchen, "AT")] * 1
    )  # Favignana's one and Traiskirchen's one must not show
    for number, (organisation, country) in enumerate(people):
        user_id = create_user(f"person{number}@example.eu", organisation_id=organisation)
        with app.app_context():
            user = db.session.get(User, user_id)
            courses.enrol(user, db.session.scalar(select(Course).where(Course.slug == "local-voices")))
            db.session.commit()
        respond(app, evaluation, country, month(-2, 1 + number), "it", f"{country}-{number}", user_id=user_id)
    return evaluation


def test_the_funnel_ties_no_evaluation_to_a_small_organisation(evaluated, trainer_client):
    funnel = rows_of(trainer_client.get(f"/dashboards/funnel.csv?survey={evaluated}"))
    evaluated_by = {row[1]: row[5] for row in funnel[1:]}

    # Favignana's single evaluation is hidden, and so is Lampedusa's 6, or 7 − 6 would give Favignana's.
    assert evaluated_by["Comune di Favignana"] == "" and evaluated_by["Comune di Lampedusa e Linosa"] == ""
    assert evaluated_by["Stadtgemeinde Traiskirchen"] == ""


def test_storage_keeps_no_order_and_no_shared_transaction(app, evaluation, create_user):
    keys = [
        respond(app, evaluation, "SI", month(-1, 1), "sl", "", user_id=create_user(f"p{number}@example.si"))
        for number in range(8)
    ]
    with app.app_context():
        engine = db.engine.dialect.name
        answer_columns = {column.name for column in Answer.__table__.columns}
        assert "id" not in answer_columns  # answers are numbered within their response only
        assert all(len(key) == 32 for key in keys) and keys != sorted(keys)  # random: in no order of answering
        if engine == "sqlite":
            for table in ("surveys_responses", "surveys_answers", "surveys_participations", "surveys_access_codes"):
                sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": table})
                assert sql.rstrip().endswith("WITHOUT ROWID"), table
        else:
            marks = set(db.session.scalars(text("SELECT xmin::text FROM surveys_participations WHERE answered")))
            responses = set(db.session.scalars(text("SELECT xmin::text FROM surveys_responses")))
            answers = set(db.session.scalars(text("SELECT xmin::text FROM surveys_answers")))
            assert len(marks) == 1  # rewritten together: no mark tells when it was made
            assert not marks & (responses | answers)
        assert db.session.scalar(select(Participation.invited_at).where(Participation.answered)) is None


def test_receivers_of_an_anonymous_answer_learn_who_but_never_what(app, evaluation, create_user):
    from lms import signals

    heard = []

    def listen(sender, user, response, **kwargs):
        heard.append((user, response))

    signals.survey_submitted.connect(listen)
    try:
        user_id = create_user("ana@example.si")
        respond(app, evaluation, "SI", utcnow().date(), "sl", "SI-x", user_id=user_id)
    finally:
        signals.survey_submitted.disconnect(listen)

    assert len(heard) == 1 and heard[0][0] is not None and heard[0][1] is None


def test_an_access_code_works_once_and_its_mark_tells_nothing(app, client, trainer, evaluation, answers):
    client.sign_in("trainer@example.eu")
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        survey.access_codes, token = True, survey.token
        db.session.commit()
    page = client.submit(f"/surveys/{evaluation}/codes", {"count": "3"}).get_data(as_text=True)
    codes = re.findall(r'<span class="access-code">([A-Z0-9-]+)</span>', page)
    visitor, second = app.test_client(), app.test_client()

    without = visitor.get(f"/surveys/s/{token}")
    wrong = visitor.get(f"/surveys/s/{token}?code=AAAA-BBBB-CCCC")
    form = visitor.get(f"/surveys/s/{token}?code={codes[0].lower()}")
    sent = visitor.submit(f"/surveys/s/{token}", {**answers(evaluation), "country": "SI", "code": codes[0]})
    again = second.get(f"/surveys/s/{token}?code={codes[0]}")

    assert len(codes) == 3 and "Access code" in without.get_data(as_text=True)
    assert wrong.status_code == 422 and "not valid for this survey" in wrong.get_data(as_text=True)
    assert form.status_code == 200 and f'name="code" value="{codes[0].lower()}"' in form.get_data(as_text=True)
    assert sent.status_code == 200 and again.status_code == 422
    with app.app_context():
        stored = {row[0] for row in db.session.execute(text("SELECT code_hash FROM surveys_access_codes"))}
        assert not any(code.replace("-", "") in " ".join(stored) for code in codes)  # only hashes


def test_the_open_link_limits_answers_per_address_but_not_people_who_sign_in(
    app, make_app, evaluation, answers, create_user
):
    app.config["SURVEY_RATE_LIMIT"] = "2 per hour"
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    create_user("ana@example.si")
    learner = app.test_client()
    learner.sign_in("ana@example.si")
    data = {**answers(evaluation), "country": "SI"}

    statuses = [app.test_client().submit(f"/surveys/s/{token}", data).status_code for _ in range(3)]
    signed_in = learner.submit(f"/surveys/s/{token}", data).status_code

    assert statuses == [200, 200, 429] and signed_in == 200


def test_behind_a_proxy_each_forwarded_address_has_its_own_limit(make_app, evaluation, answers):
    proxied = make_app(PROXIES=1, SURVEY_RATE_LIMIT="1 per hour")
    with proxied.app_context():
        token = db.session.get(Survey, evaluation).token
    data = {**answers(evaluation), "country": "SI"}

    def send(address):
        client = proxied.test_client()
        return client.submit(f"/surveys/s/{token}", data, headers={"X-Forwarded-For": address}).status_code

    assert [send("203.0.113.7"), send("203.0.113.8"), send("203.0.113.7")] == [200, 200, 429]


def test_guessing_access_codes_is_limited_per_address_but_valid_codes_are_not(app, evaluation):
    app.config["SURVEY_RATE_LIMIT"] = "2 per hour"
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        survey.access_codes, token = True, survey.token
        codes = services.issue_codes(survey, 4)
        db.session.commit()
    visitor = app.test_client()

    valid = [visitor.get(f"/surveys/s/{token}?code={code}").status_code for code in codes]
    guesses = [visitor.get(f"/surveys/s/{token}?code=AAAA-BBBB-CC{n}{n}").status_code for n in range(2, 5)]

    assert valid == [200] * 4 and guesses == [422, 422, 429]


def test_settings_cannot_count_answers_or_mix_identified_ones_into_anonymous_figures(
    app, survey, trainer, trainer_client, answers, create_user
):
    settings = {"title": "Evaluation", "anonymous": "y", "course": "local-voices"}
    with app.app_context():
        db.session.get(Survey, survey).response_limit = 500  # set before anyone answered
        db.session.commit()
    probing = trainer_client.submit(f"/surveys/{survey}/edit", {**settings, "response_limit": "30"})
    raised = trainer_client.submit(f"/surveys/{survey}/edit", {**settings, "response_limit": "1000"})
    lowered = trainer_client.submit(f"/surveys/{survey}/edit", {**settings, "response_limit": "999"})
    with app.app_context():
        identified = services.duplicate(db.session.get(Survey, survey), db.session.get(User, trainer))
        identified.anonymous, identified.published, copy_id = False, True, identified.id
        token = identified.token
        db.session.commit()
    create_user("ana@example.si")
    learner = app.test_client()
    learner.sign_in("ana@example.si")
    answered = learner.submit(f"/surveys/s/{token}", {**answers(copy_id), "country": "SI"})
    made_anonymous = trainer_client.submit(
        f"/surveys/{copy_id}/edit", {"title": "Copy", "anonymous": "y", "course": ""}
    )

    # Lowering a limit until the survey fills up would count the answers, waiting and hidden ones included.
    assert "can only be raised or removed" in probing.get_data(as_text=True)
    assert "can only be raised" not in raised.get_data(as_text=True)
    assert "can only be raised or removed" in lowered.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Survey, survey).response_limit == 1000
    assert answered.status_code == 200
    assert "cannot become anonymous" in made_anonymous.get_data(as_text=True)
