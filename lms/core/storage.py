"""Uploaded files, kept outside the web root behind one small interface (local disk by default)."""

import secrets
from pathlib import Path

from flask import current_app


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


def storage() -> LocalStorage:
    """Return the app's file storage: STORAGE_DIR, or uploads/ in the instance folder."""
    return LocalStorage(Path(current_app.config["STORAGE_DIR"] or Path(current_app.instance_path) / "uploads"))
