"""Dashboard server time as the answers grow (10 thousand to a million), against the bare SQL it runs.

On SQLite and on PostgreSQL (a database created and dropped on the shared server, see harness.POSTGRES_SERVER).
Run with `make bench` (or `.venv/bin/python bench/dashboards.py`).
"""

import random
import re
import secrets
import statistics
import time
from datetime import date, timedelta

import flask_migrate
from harness import database_label, on_sqlite_and_postgres, temporary_folder
from sqlalchemy import case, func, insert, select, text

from lms import create_app
from lms.accounts import services as accounts
from lms.accounts.models import Role, TrainerCountry
from lms.extensions import db
from lms.surveys import services as surveys
from lms.surveys.models import Answer, Kind, Response, Survey
from lms.surveys.release import View, release

SIZES = (10_000, 100_000, 1_000_000)
COUNTRIES = ("IT", "AT", "SI", "GR", "CY", "RO", "BG", "HU")


def _bare_sql(survey_id: int, nps: int) -> list:
    """The queries the page cannot avoid, with the same condition its release puts on the answers."""
    survey = db.session.get(Survey, survey_id)
    shown = release(survey, View())
    counts = (
        select(Response.country, Response.submitted_on, Response.language, func.count())
        .where(Response.survey_id == survey_id)
        .group_by(Response.country, Response.submitted_on, Response.language)
    )
    numbers = Answer.number.isnot(None)
    queries = [
        counts,
        select(Answer.question_id, Answer.country, Answer.number, func.count())
        .where(shown.where(Answer), numbers)
        .group_by(Answer.question_id, Answer.country, Answer.number),
        select(Answer.question_id, Answer.country, func.avg(Answer.number))
        .where(shown.where(Answer), numbers)
        .group_by(Answer.question_id, Answer.country),
        select(
            Answer.country,
            func.sum(case((Answer.number >= 9, 1), else_=0)),
            func.sum(case((Answer.number <= 6, 1), else_=0)),
        )
        .where(shown.where(Answer), Answer.question_id == nps, numbers)
        .group_by(Answer.country),
    ]
    return [text(str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))) for query in queries]


def _prepare(database_url: str):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        trainer = accounts.create_user(
            "bench@example.eu", "Bench", via="bench", roles=(Role.TRAINER,), password="bench-password"
        )
        trainer.country_rows = [TrainerCountry(country=code) for code in COUNTRIES]
        survey = surveys.create_from_template(trainer)
        surveys.publish(survey, trainer)
        db.session.commit()
        questions = [(q.id, q.kind_, q.options, q.rows) for q in survey.questions]
        nps = next(q.id for q in survey.questions if q.kind_ is Kind.NPS)
        return app, survey.id, questions, nps


def _fill(survey_id: int, questions, target: int, have: int, rng: random.Random) -> int:
    """Insert responses of about 20 answers each until the survey holds *target* answers."""
    today, responses, answers = date.today(), [], []
    while have < target:
        response_id, country = secrets.token_hex(16), rng.choice(COUNTRIES)
        day = today - timedelta(days=rng.randint(0, 365))
        responses.append(
            {
                "id": response_id,
                "survey_id": survey_id,
                "submitted_on": day,
                "language": "en",
                "country": country,
                "source": "demo",
            }
        )
        position = iter(range(1, 1000))
        for question_id, kind, options, rows in questions:
            base = {
                "response_id": response_id,
                "survey_id": survey_id,
                "question_id": question_id,
                "country": country,
                "language": "en",
                "submitted_on": day,
                "row_code": None,
                "option_code": None,
                "number": None,
                "text": None,
            }
            if kind.numeric:
                number = rng.randint(0, 10) if kind is Kind.NPS else rng.randint(1, 5)
                answers.append({**base, "position": next(position), "number": number})
            elif kind is Kind.GRID:
                answers += [
                    {**base, "position": next(position), "row_code": row, "option_code": rng.choice(options)}
                    for row in rows
                ]
            elif kind.choice:
                answers.append({**base, "position": next(position), "option_code": rng.choice(options)})
            elif rng.random() < 0.3:
                answers.append(
                    {**base, "position": next(position), "text": "A useful training with practical examples."}
                )
        have = have + sum(1 for answer in answers if answer["response_id"] == response_id)
        if len(answers) >= 20_000:
            db.session.execute(insert(Response), responses)
            db.session.execute(insert(Answer), answers)
            db.session.commit()
            responses, answers = [], []
    if answers:
        db.session.execute(insert(Response), responses)
        db.session.execute(insert(Answer), answers)
        db.session.commit()
    return have


def _median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def measure(database_url: str) -> list[str]:
    """Return the table rows at each size: SQLite in a temporary folder when *database_url* is empty."""
    label = database_label(database_url)
    app, survey_id, questions, nps = _prepare(database_url or f"sqlite:///{temporary_folder()}/bench.sqlite")
    client = app.test_client()
    page = client.get("/accounts/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/accounts/sign-in", data={"csrf_token": token, "email": "bench@example.eu", "password": "bench-password"}
    )
    rng, have, rows = random.Random(7), 0, []
    for size in SIZES:
        with app.app_context():
            have = _fill(survey_id, questions, size, have, rng)
            statements = _bare_sql(survey_id, nps)
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("ANALYZE"))
                db.session.commit()

            def bare(statements=statements):
                with db.engine.connect() as connection:
                    for statement in statements:
                        connection.execute(statement).all()

            bare_ms = _median_ms(bare, 5)
        client.get(f"/dashboards/?survey={survey_id}")
        page_ms = _median_ms(lambda: client.get(f"/dashboards/?survey={survey_id}"), 5)
        rows.append(f"| {label} | {have:,} | {bare_ms:.0f} | {page_ms:.0f} | {page_ms / bare_ms:.2f} |")
    with app.app_context():
        db.engine.dispose()
    return rows


def main() -> str:
    rows = [row for rows in on_sqlite_and_postgres(measure, "lms_bench_dashboards") for row in rows]
    return "\n".join(
        [
            "The whole dashboard page of the evaluation survey (all countries, every chart and table, rendered) "
            "against the bare",
            "SQL aggregations it runs; median of 5, in milliseconds. About 20 answers per response.",
            "",
            "| database | answers | bare SQL ms | dashboard ms | ratio |",
            "| --- | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "The ratio is the page's time over the time of the queries it cannot avoid: what building the figures, "
            "the access checks and the rendering add. It falls toward 1 as the answers grow, since that work stays "
            "fixed while the SQL grows: the page scales like its aggregations.",
        ]
    )


if __name__ == "__main__":
    print(main())
