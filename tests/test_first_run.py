"""What `make run` does for a newcomer: import the programme's courses, load the demo data, serve."""

from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.courses.models import Course, Enrollment
from lms.extensions import db
from lms.surveys.models import Participation, Response


def test_the_programme_and_the_demo_data_load_and_the_pages_answer(app, runner, client):
    app.config["ENV"] = "development"  # as `make run` sets it
    imported = runner.invoke(args=["content", "import"])
    demo = runner.invoke(args=["demo", "load"])

    assert imported.exit_code == 0, imported.output
    assert demo.exit_code == 0, demo.output
    assert "admin@clarinet.example" in demo.output and "clarinet-demo" in demo.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 5
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) >= 8
        assert db.session.scalar(select(func.count()).select_from(Response)) > 50
        completed = db.session.scalar(
            select(func.count()).select_from(Enrollment).where(Enrollment.completed_at.isnot(None))
        )
        issued_or_invited = db.session.scalar(select(func.count()).select_from(Certificate)) + db.session.scalar(
            select(func.count()).select_from(Participation)
        )
        assert completed and issued_or_invited
    client.sign_in("maria.ivanova@burgas.example", "clarinet-demo")
    for path in ("/", "/courses/", "/courses/positive-stories", "/courses/mine", "/certificates/", "/surveys/mine"):
        assert client.get(path).status_code == 200, path
