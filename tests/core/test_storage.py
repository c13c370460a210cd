"""Files at rest: the database, uploads and pending imports are readable by the platform's own user only,
whatever umask the server runs with."""

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from lms import create_app
from lms.extensions import db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
GOOGLE_CSV = "Timestamp,The training was relevant to my daily work.\n2026/10/05 3:14:07 PM GMT+2,5\n"


@pytest.fixture
def open_umask():
    """The umask of a server started with everything open (gunicorn's --umask 0, a careless service unit)."""
    before = os.umask(0)
    yield
    os.umask(before)


def others_may_read(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


def test_the_sqlite_database_and_the_instance_folder_are_the_owners_alone(tmp_path, monkeypatch, open_umask):
    instance = tmp_path / "instance"
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        db.session.execute(text("CREATE TABLE notes (body TEXT)"))
        db.session.execute(text("INSERT INTO notes VALUES ('a secret')"))
        db.session.commit()
        files = sorted(instance.iterdir())
        assert [path.name for path in files] == ["lms.sqlite", "lms.sqlite-shm", "lms.sqlite-wal"]
        assert [path for path in [instance, *files] if others_may_read(path)] == []
        db.engine.dispose()


def test_an_attachment_is_stored_for_the_owner_alone(app, client, learner, open_umask):
    client.submit(
        "/support/ask",
        {
            "subject": "Our leaflet",
            "topic": "communication",
            "language": "en",
            "body": "Is it clear?",
            "files": [(io.BytesIO(PDF), "leaflet.pdf")],
        },
        content_type="multipart/form-data",
    )

    folder = Path(app.config["STORAGE_DIR"])
    [stored] = folder.iterdir()
    assert stored.read_bytes() == PDF
    assert not others_may_read(folder) and not others_may_read(stored)


def test_a_pending_google_forms_upload_is_kept_for_the_owner_alone(app, client, trainer, evaluation, open_umask):
    client.sign_in("trainer@example.eu")
    client.submit(
        f"/surveys/{evaluation}/import",
        {"file": (io.BytesIO(GOOGLE_CSV.encode()), "responses.csv")},
        content_type="multipart/form-data",
    )

    folder = Path(app.instance_path) / "imports"
    [pending] = folder.iterdir()
    assert pending.read_text() == GOOGLE_CSV
    assert not others_may_read(folder) and not others_may_read(pending)
