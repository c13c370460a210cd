"""`lms demo load` gives the dashboards a living evaluation: answers from the eight partner countries."""

from sqlalchemy import func, select

from lms.extensions import db
from lms.surveys.models import Response, Survey


def test_demo_loading_answers_the_flagship_evaluation_once(app, runner):
    runner.invoke(args=["content", "import"])
    runner.invoke(args=["demo", "load", "--allow-production"])
    runner.invoke(args=["demo", "load", "--allow-production"])

    with app.app_context():
        [survey] = db.session.scalars(select(Survey)).all()
        by_country = dict(db.session.execute(select(Response.country, func.count()).group_by(Response.country)).all())
        languages = set(db.session.scalars(select(Response.language)))
    assert (survey.course_slug, survey.published, survey.anonymous) == ("positive-stories", True, True)
    assert set(by_country) == {"IT", "AT", "SI", "GR", "CY", "RO", "BG", "HU"}
    assert all(5 <= count <= 24 for count in by_country.values())
    assert {"it", "de", "sl", "el", "ro", "bg", "hu", "en"} == languages
    assert survey.response_count == sum(by_country.values())
