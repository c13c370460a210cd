"""Dashboards: figures checked by hand on a small data set, the anonymity threshold, and trainers' scope."""

import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select, update

from lms.accounts.models import Organisation, Role, User
from lms.courses.models import Enrollment
from lms.extensions import db
from lms.surveys.models import Question, Survey

#: (country, relevance, recommend) of each anonymous response
RESPONSES = [("SI", 5, 9), ("SI", 5, 9), ("SI", 4, 7), ("SI", 4, 6), ("SI", 2, 10), ("AT", 1, 0), ("AT", 3, 8)]


@pytest.fixture
def answered(app, make_app, evaluation, answers, days_pass):
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    for country, relevance, recommend in RESPONSES:
        data = answers(
            evaluation, relevance=str(relevance), recommend=str(recommend), word=f"word-{country}-{relevance}"
        )
        make_app().test_client().submit(f"/surveys/s/{token}", {**data, "country": country})
    days_pass(evaluation)
    return evaluation


@pytest.fixture
def hungarian(app, create_user):
    create_user("trainer.hu@example.eu", roles=(Role.TRAINER,), countries=("HU",))
    client = app.test_client()
    client.sign_in("trainer.hu@example.eu")
    return client


def test_the_figures_match_the_hand_computed_ones(client, trainer, answered):
    client.sign_in("trainer@example.eu")

    html = client.get(f"/dashboards/?survey={answered}").get_data(as_text=True)
    scales = client.get(f"/dashboards/scales.csv?survey={answered}").get_data(as_text=True)

    assert re.search(r'<th scope="row">Slovenia</th><td class="number">5</td>', html)
    # 5,5,4,4,2: one 2, two 4s, two 5s; mean 4.0. One row per value, so every scale fits the one header.
    assert scales.splitlines()[0].lstrip("\ufeff") == "Question,Country,Value,Answer,Count,Mean"
    assert "relevance,Slovenia,2,Disagree,1,4.0" in scales and "relevance,Slovenia,5,Strongly agree,2,4.0" in scales
    assert "recommend,Slovenia,10,10,1,8.2" in scales and "recommend,Slovenia,0,0,0,8.2" in scales
    assert re.search(
        r'<th scope="row">Slovenia</th><td class="number">60 %</td>'
        r'<td class="number">20 %</td><td class="number">40</td>',
        html,
    )  # 9,9,10 promote, 6 detracts


def test_countries_below_the_threshold_are_hidden_also_from_totals(client, trainer, answered):
    client.sign_in("trainer@example.eu")

    html = client.get(f"/dashboards/?survey={answered}").get_data(as_text=True)
    countries = client.get(f"/dashboards/countries.csv?survey={answered}").get_data(as_text=True)
    scales = client.get(f"/dashboards/scales.csv?survey={answered}").get_data(as_text=True)
    texts = client.get(f"/dashboards/answers?survey={answered}").get_data(as_text=True)

    assert '<th scope="row">Austria</th>' not in html  # not listed at all: two answers look the same as none
    assert (
        '<th scope="row">Countries shown</th><td class="number">5</td>' in html
    )  # not 7: Austria's 2 cannot be derived
    assert "Austria" not in countries and "Austria" not in scales
    assert "word-SI-5" in texts and "word-AT" not in texts


def test_a_trainer_of_hungary_gets_nothing_of_austria_through_any_url_or_export(hungarian, answered):
    pages = [f"/dashboards/?survey={answered}", f"/dashboards/answers?survey={answered}"] + [
        f"/dashboards/{table}.csv?survey={answered}" for table in ("countries", "scales", "months", "funnel")
    ]
    explicit = [f"{page.split('?')[0]}?survey={answered}&country=AT" for page in pages] + [
        f"/dashboards/report?survey={answered}&country=AT"
    ]

    for page in pages:
        body = hungarian.get(page).get_data(as_text=True)
        assert "Austria" not in body and "Slovenia" not in body and "word-AT" not in body, page
    for page in explicit:
        assert hungarian.get(page).status_code == 403, page


@pytest.mark.parametrize(("anonymous", "evaluated"), [(False, "1"), (True, "")])
def test_the_funnel_counts_enrolled_started_completed_evaluated_and_certified(
    app, client, trainer, evaluation, answers, create_user, create_organisation, anonymous, evaluated
):
    town = create_organisation("Občina Črnomelj", "SI")
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        survey.anonymous, token = anonymous, survey.token
        db.session.commit()
    for name, steps in (("ana", 3), ("bor", 1), ("cvet", 0)):
        create_user(f"{name}@example.si", organisation_id=town)
        learner = app.test_client()
        learner.sign_in(f"{name}@example.si")
        learner.submit("/courses/local-voices/enrol")
        if steps >= 1:
            learner.submit("/courses/local-voices/lessons/first-steps/done")
        if steps >= 3:
            learner.submit("/courses/local-voices/lessons/second-steps/check", {"q0": "b", "q1": ["a", "c"]})
            learner.submit(f"/surveys/s/{token}", answers(evaluation))
    client.sign_in("trainer@example.eu")

    funnel = client.get(f"/dashboards/funnel.csv?survey={evaluation}").get_data(as_text=True)

    # Of an anonymous evaluation, one person's "evaluated" is hidden, as if nobody had answered.
    assert f"Slovenia,Občina Črnomelj,3,2,1,{evaluated},1" in funnel


@pytest.fixture
def two_cohorts(app, trainer, evaluation, answers, create_user, create_organisation):
    """Two learners of Črnomelj who completed, evaluated and were certified: one enrolled in May 2026, one now."""
    town = create_organisation("Občina Črnomelj", "SI")
    with app.app_context():
        token = db.session.get(Survey, evaluation).token
    for name in ("ana", "bor"):
        create_user(f"{name}@example.si", organisation_id=town)
        learner = app.test_client()
        learner.sign_in(f"{name}@example.si")
        learner.submit("/courses/local-voices/enrol")
        learner.submit("/courses/local-voices/lessons/first-steps/done")
        learner.submit("/courses/local-voices/lessons/second-steps/check", {"q0": "b", "q1": ["a", "c"]})
        learner.submit(f"/surveys/s/{token}", answers(evaluation))
    with app.app_context():
        ana = db.session.scalar(select(User.id).where(User.email == "ana@example.si"))
        db.session.execute(update(Enrollment).where(Enrollment.user_id == ana).values(enrolled_at=datetime(2026, 5, 4)))
        db.session.commit()
    return town


def test_renaming_an_organisation_keeps_its_certified_learners_in_the_funnel(app, client, two_cohorts, evaluation):
    with app.app_context():
        db.session.get(Organisation, two_cohorts).name = "Občina Črnomelj (Bela krajina)"
        db.session.commit()
    client.sign_in("trainer@example.eu")

    funnel = client.get(f"/dashboards/funnel.csv?survey={evaluation}").get_data(as_text=True)

    assert "Slovenia,Občina Črnomelj (Bela krajina),2,2,2,,2" in funnel


def test_the_funnel_follows_the_period_and_withholds_anonymous_evaluations_there(app, client, two_cohorts, evaluation):
    client.sign_in("trainer@example.eu")

    may = client.get(f"/dashboards/funnel.csv?survey={evaluation}&from=2026-05&to=2026-05").get_data(as_text=True)
    page = client.get(f"/dashboards/?survey={evaluation}&from=2026-05&to=2026-05").get_data(as_text=True)
    with app.app_context():
        db.session.get(Survey, evaluation).anonymous = False
        db.session.commit()
    identified = client.get(f"/dashboards/funnel.csv?survey={evaluation}&from=2026-05&to=2026-05")

    assert "Slovenia,Občina Črnomelj,1,1,1,,1" in may  # Ana alone, and whether she evaluated is not said
    assert "“Evaluated” is not shown for a period" in page
    assert "Slovenia,Občina Črnomelj,1,1,1,1,1" in identified.get_data(as_text=True)


def test_charts_are_drawn_from_json_by_the_platforms_own_scripts(client, trainer, answered):
    client.sign_in("trainer@example.eu")

    html = client.get(f"/dashboards/?survey={answered}").get_data(as_text=True)
    with client.get("/dashboards/plotly.min.js") as plotly:
        plotly_served = (plotly.status_code, plotly.headers["Cache-Control"])

    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('type="application/json"' in attributes or "src=" in attributes for attributes in scripts)
    assert 'src="/dashboards/plotly.min.js"' in html and "cdn" not in html.lower()
    assert plotly_served[0] == 200 and plotly_served[1].startswith("public, max-age=")
    assert 'role="img" aria-label="Responses per country.' in html


def test_learners_cannot_see_dashboards(client, create_user, answered):
    create_user("learner@example.eu")
    client.sign_in("learner@example.eu")

    assert client.get("/dashboards/").status_code == 403
    assert client.get(f"/dashboards/countries.csv?survey={answered}").status_code == 403


def test_a_question_written_as_markup_is_shown_as_text_and_its_chart_still_drawn(app, client, trainer, answered):
    payload = '</script><meta http-equiv="refresh" content="0;url=http://evil.example/"><b>Relevant?</b> & more'
    with app.app_context():
        relevance = select(Question).where(Question.survey_id == answered, Question.code == "relevance")
        question = db.session.scalar(relevance)
        question.texts = {**question.texts, "en": {**question.texts["en"], "text": payload}}
        db.session.commit()
        key = f"chart-q{question.id}"
    client.sign_in("trainer@example.eu")

    html = client.get(f"/dashboards/?survey={answered}").get_data(as_text=True)
    data = re.search(rf'<script type="application/json" class="chart-data" data-target="{key}">(.*?)</script>', html)
    figure = json.loads(data.group(1))

    assert "<meta http-equiv" not in html and "</script><meta" not in html
    assert "&lt;/script&gt;&lt;meta http-equiv" in html  # the table's caption and the chart's label, as text
    # plotly.js reads tags and entities in titles: the question goes in escaped, to be shown exactly as typed.
    assert figure["layout"]["title"]["text"] == payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert [len(bar["x"]) for bar in figure["data"]] == [1] * 5  # the chart still has its five answers for Slovenia
