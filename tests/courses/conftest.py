"""Fixtures for courses: a small course in tests/courses/content, imported."""

import shutil
from pathlib import Path

import pytest

from lms.courses import services
from lms.courses.content import load_content
from lms.extensions import db

CONTENT = Path(__file__).parent / "content"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A copy of the test content that a test may edit."""
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))


@pytest.fixture
def import_content(app):
    """Return a function that imports a content folder and commits."""

    def run(folder: Path = CONTENT):
        with app.app_context():
            content = load_content(folder)
            assert content.problems == []
            report = services.import_content(content)
            db.session.commit()
            return report

    return run


@pytest.fixture
def course(import_content):
    """The imported test course "local-voices"."""
    import_content()
    return "local-voices"


@pytest.fixture
def learner(client, create_user, create_organisation):
    """A signed-in learner of Občina Črnomelj; returns their id."""
    user_id = create_user("spela@example.si", organisation_id=create_organisation())
    client.sign_in("spela@example.si")
    return user_id
