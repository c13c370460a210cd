"""The `lms` command's own groups: demo data never lands in production by mistake."""

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db


def count_people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_demo_data_is_refused_outside_development(app, runner):
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code != 0
    assert "Refusing to load the demo data: LMS_ENV is 'production'" in result.output
    assert "--allow-production" in result.output
    assert count_people(app) == 0


def test_demo_data_loads_in_development_or_when_production_is_allowed_explicitly(app, make_app):
    development = make_app(ENV="development")

    loaded = development.test_cli_runner().invoke(args=["demo", "load"])
    allowed = app.test_cli_runner().invoke(args=["demo", "load", "--allow-production"])

    assert loaded.exit_code == allowed.exit_code == 0, loaded.output + allowed.output
    assert "admin@clarinet.example" in loaded.output and "admin@clarinet.example" in allowed.output
    assert count_people(app) > 0
