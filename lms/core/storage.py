"""Uploaded files, kept outside the web root behind one small interface (local disk by default)."""

import os
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
        write_private(private_folder(self.root) / key, data)
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


def private_folder(path: Path) -> Path:
    """Create *path* if needed and make it the owner's alone (0700), whatever the umask of the server."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a new file at *path* that only the owner may read (0600), whatever the umask of the server."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(data)


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
