"""Uploaded files, kept outside the web root behind one small interface (local disk by default)."""

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db

#: Files to remove once the transaction that stops referring to them is committed.
DOOMED_KEY = "lms.files_to_remove"


class LocalStorage:
    """Files in a folder of the instance; keys are random, so names never reach the file system."""

    def __init__(self, root: Path):
        self.root = root

    def save(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / key).write_bytes(data)
        return key

    def read(self, key: str) -> bytes:
        if not key.isalnum():
            raise FileNotFoundError(key)
        return (self.root / key).read_bytes()

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def delete_after_commit(self, key: str) -> None:
        """Remove the file of *key* when the current transaction commits (kept if it is rolled back)."""
        if key.isalnum():
            remove_after_commit(self.root / key)


def storage() -> LocalStorage:
    """Return the app's file storage: STORAGE_DIR, or uploads/ in the instance folder."""
    return LocalStorage(Path(current_app.config["STORAGE_DIR"] or Path(current_app.instance_path) / "uploads"))


def remove_after_commit(path: Path) -> None:
    """Remove the file at *path* once the session's transaction commits, so that rows never point to lost files."""
    db.session.info.setdefault(DOOMED_KEY, []).append(path)


@event.listens_for(Session, "after_commit")
def _remove_doomed_files(session) -> None:
    for path in session.info.pop(DOOMED_KEY, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _keep_doomed_files(session) -> None:
    session.info.pop(DOOMED_KEY, None)
