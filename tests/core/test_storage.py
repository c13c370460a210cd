"""Stored files: on local disk by default, readable by the platform's own user alone whatever the umask, or in an
S3-compatible object store (moto's server, started as its own process) shared by every host."""

import io
import os
import re
import socket
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from lms import create_app
from lms.core.storage import LocalStorage, S3Storage, storage
from lms.extensions import db
from lms.support.models import Attachment, Ticket
from lms.surveys.models import Response
from tests.conftest import stored_files
from tests.surveys.test_import import GOOGLE_CSV as THREE_RESPONSES
from tests.surveys.test_import import confirm, upload

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
GOOGLE_CSV = "Timestamp,The training was relevant to my daily work.\n2026/10/05 3:14:07 PM GMT+2,5\n"
BOTH = pytest.mark.parametrize("storage_settings", ["local", "s3"], indirect=True)


@pytest.fixture
def open_umask():
    """The umask of a server started with everything open (gunicorn's --umask 0, a careless service unit)."""
    before = os.umask(0)
    yield
    os.umask(before)


def others_may_read(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


def ask_with_leaflet(client):
    return client.submit(
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


def upload_responses(client, survey_id: int):
    return client.submit(
        f"/surveys/{survey_id}/import",
        {"file": (io.BytesIO(GOOGLE_CSV.encode()), "responses.csv")},
        content_type="multipart/form-data",
    )


def files_on_disk(root: Path) -> list[Path]:
    """Every file under *root* but the test's own SQLite database."""
    return [path for path in root.rglob("*") if path.is_file() and "sqlite" not in path.name]


# --- the interface, on both back ends ---------------------------------------------------------------------------


@BOTH
def test_a_saved_file_reads_back_until_it_is_deleted(app_ctx):
    key = storage().save(PDF, "exports", "application/pdf")

    assert re.fullmatch(r"exports/[0-9a-f]{32}", key)
    assert storage().read(key) == PDF
    storage().delete(key)
    with pytest.raises(FileNotFoundError):
        storage().read(key)
    storage().delete(key)  # deleting what is gone is no error


@BOTH
@pytest.mark.parametrize("key", ["", "../../etc/passwd", "exports/" + "0" * 32, "0" * 32, "Exports/" + "0" * 32])
def test_a_missing_file_or_a_key_the_store_never_made_reads_as_missing(app_ctx, key):
    storage().save(b"something else", "exports")

    with pytest.raises(FileNotFoundError):
        storage().read(key)


@BOTH
def test_a_file_doomed_in_a_transaction_goes_when_it_commits_and_stays_when_it_rolls_back(app_ctx):
    key = storage().save(PDF, "attachments")

    db.session.execute(text("SELECT 1"))
    storage().delete_after_commit(key)
    db.session.rollback()
    assert storage().read(key) == PDF

    db.session.execute(text("SELECT 1"))
    storage().delete_after_commit(key)
    assert storage().read(key) == PDF  # not before the commit
    db.session.commit()
    with pytest.raises(FileNotFoundError):
        storage().read(key)


@BOTH
def test_files_older_than_an_age_are_removed_from_their_namespace_alone(app_ctx):
    pending = storage().save(GOOGLE_CSV.encode(), "imports", "text/csv")
    attachment = storage().save(PDF, "attachments")

    assert storage().delete_older_than("imports", timedelta(hours=1)) == 0
    assert storage().keys("imports") == [pending]
    assert storage().delete_older_than("imports", timedelta(0)) == 1
    assert storage().keys("imports") == []
    assert storage().read(attachment) == PDF


def test_files_without_a_namespace_keep_working_as_before_namespaces_came(app, app_ctx):
    key = storage().save(PDF)  # as attachments were stored before: a bare random key in the folder

    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert (Path(app.config["STORAGE_DIR"]) / key).read_bytes() == PDF
    assert storage().read(key) == PDF


# --- journeys through the web client ----------------------------------------------------------------------------


@BOTH
def test_an_attachment_is_uploaded_and_downloaded_from_the_store(app, client, learner, request, tmp_path):
    ask_with_leaflet(client)

    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
    download = client.get(f"/support/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == 'attachment; filename="leaflet.pdf"'
    assert attachment.storage_key.startswith("attachments/")
    if request.node.callspec.params["storage_settings"] == "s3":
        bucket = request.getfixturevalue("bucket")
        assert bucket.objects() == [attachment.storage_key]
        assert bucket.client.get_object(Bucket=bucket.name, Key=attachment.storage_key)["Body"].read() == PDF
        assert files_on_disk(tmp_path) == []  # in the bucket, not on this host's disk
    else:
        assert [path.read_bytes() for path in stored_files(app)] == [PDF]


@BOTH
def test_an_import_upload_waits_in_the_store_until_it_is_imported(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")

    page = upload(client, evaluation, THREE_RESPONSES).get_data(as_text=True)

    with app.app_context():
        [pending] = storage().keys("imports")
        assert storage().read(pending).decode() == THREE_RESPONSES
    assert f'value="{pending.removeprefix("imports/")}"' in page  # the page carries the random part alone
    done = confirm(client, evaluation, page)
    assert done.headers["Location"] == f"/surveys/{evaluation}/results"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 3
        assert storage().keys("imports") == []  # removed with the commit of the import


@BOTH
def test_a_cancelled_import_upload_is_removed_from_the_store(app, client, trainer, evaluation):
    client.sign_in("trainer@example.eu")
    page = upload_responses(client, evaluation).get_data(as_text=True)
    token = re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1)

    client.submit(f"/surveys/{evaluation}/import", {"key": token, "action": "cancel"})

    with app.app_context():
        assert storage().keys("imports") == []


# --- the object store ----------------------------------------------------------------------------------------


def test_local_disk_stays_the_default(make_app):
    app = make_app()

    with app.app_context():
        assert isinstance(storage(), LocalStorage)
        assert storage().root == Path(app.instance_path) / "uploads"


def test_the_store_is_made_once_per_app_not_per_request(bucket, make_app):
    app = make_app(**bucket.settings)

    with app.test_request_context():
        first = storage()
    with app.test_request_context():
        assert storage() is first and isinstance(first, S3Storage)
    assert make_app(**bucket.settings).extensions["lms.storage"].client is not first.client


def test_objects_are_private_encrypted_typed_and_under_the_prefix(bucket, make_app):
    app = make_app(**bucket.settings, S3_PREFIX="/clarinet/", S3_SERVER_SIDE_ENCRYPTION="AES256")

    with app.app_context():
        key = storage().save(PDF, "certificates", "application/pdf")

    assert bucket.objects() == [f"clarinet/{key}"]
    found = bucket.client.head_object(Bucket=bucket.name, Key=f"clarinet/{key}")
    assert found["ContentType"] == "application/pdf" and found["ServerSideEncryption"] == "AES256"
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=f"clarinet/{key}")["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants if grant["Grantee"].get("URI")] == []  # nobody else
    with app.app_context():
        assert storage().read(key) == PDF and storage().keys("certificates") == [key]


def test_an_unreachable_store_says_so_and_keeps_nothing(make_app, bucket, create_user, create_organisation):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = make_app(**{**bucket.settings, "S3_ENDPOINT_URL": nobody})
    with app.app_context():
        create_user("spela@example.si", organisation_id=create_organisation())
    client = app.test_client()
    client.sign_in("spela@example.si")

    response = ask_with_leaflet(client)

    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "cannot reach its file store" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


# --- files at rest on local disk ----------------------------------------------------------------------------------


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
    ask_with_leaflet(client)

    root = Path(app.config["STORAGE_DIR"])
    [stored] = stored_files(app)
    assert stored.read_bytes() == PDF
    assert [path for path in (root, stored.parent, stored) if others_may_read(path)] == []


def test_a_pending_google_forms_upload_is_kept_for_the_owner_alone(app, client, trainer, evaluation, open_umask):
    client.sign_in("trainer@example.eu")
    upload_responses(client, evaluation)

    root = Path(app.config["STORAGE_DIR"])
    [pending] = stored_files(app)
    assert pending.parent == root / "imports" and pending.read_text() == GOOGLE_CSV
    assert [path for path in (root, pending.parent, pending) if others_may_read(path)] == []
