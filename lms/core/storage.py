"""Stored files (attachments, pending imports, PDFs, exports) behind one small interface.

Files live on local disk (``LMS_STORAGE_DIR``, or uploads/ in the instance folder) unless ``LMS_S3_BUCKET``
names a bucket of an S3-compatible object store, which every host then shares. ``storage()`` returns the app's
store, made once when the app starts. Its methods:

- ``save(data, namespace="", content_type=...) -> key``: keep *data* under a new random key, such as
  ``"exports/6f1c…"`` (32 hex digits after the namespace and a slash; at most 63 characters in all, so a
  ``String(64)`` column holds it). Names given by people never become keys.
- ``read(key) -> bytes``: the file; FileNotFoundError when it is missing or *key* is not one that save() makes.
- ``delete(key)``: remove it now (nothing happens when it is missing).
- ``delete_after_commit(key)``: remove it once the current database transaction commits; a rollback keeps it,
  so that a row never points to a lost file.
- ``keys(namespace)`` and ``delete_older_than(namespace, age) -> count``: for files that expire.

StorageUnavailable (an OSError) means the object store did not answer or refused: pages show 503.
"""

import logging
import os
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db

log = logging.getLogger("lms.core")

#: Files to remove once the transaction that stops referring to them is committed.
DOOMED_KEY = "lms.files_to_remove"
EXTENSION = "lms.storage"
NAMESPACE = re.compile(r"[a-z][a-z0-9_-]{0,29}")
KEY = re.compile(rf"(?:{NAMESPACE.pattern}/)?[0-9a-f]{{32}}")
#: How long a request waits for the object store: within gunicorn's 30 s for a worker, retries included.
S3_TIMEOUTS = {"connect_timeout": 3, "read_timeout": 10, "retries": {"mode": "standard", "max_attempts": 2}}


class StorageUnavailable(OSError):
    """The object store did not answer, or refused the request (a wrong key or bucket, say)."""


def new_key(namespace: str) -> str:
    """Return a new random key in *namespace* ("" for none)."""
    if namespace and not NAMESPACE.fullmatch(namespace):
        raise ValueError(f"A namespace is lower-case letters, digits, - and _: {namespace!r}")
    token = secrets.token_hex(16)
    return f"{namespace}/{token}" if namespace else token


def is_key(key: str) -> bool:
    return bool(KEY.fullmatch(key))


class Storage(ABC):
    """The interface of the module's docstring; removal after commit and expiry are built on the rest."""

    @abstractmethod
    def save(self, data: bytes, namespace: str = "", content_type: str = "application/octet-stream") -> str: ...

    @abstractmethod
    def read(self, key: str) -> bytes: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def _listed(self, namespace: str) -> Iterator[tuple[str, datetime]]:
        """Yield the key and the time of storing of each file in *namespace*."""

    def delete_after_commit(self, key: str) -> None:
        """Remove the file of *key* when the current transaction commits (kept if it is rolled back)."""
        db.session.info.setdefault(DOOMED_KEY, []).append((self, key))

    def keys(self, namespace: str) -> list[str]:
        return [key for key, _ in self._listed(namespace)]

    def delete_older_than(self, namespace: str, age: timedelta) -> int:
        """Remove the files of *namespace* stored more than *age* ago; return how many."""
        cutoff = datetime.now(UTC) - age
        old = [key for key, stored_at in self._listed(namespace) if stored_at < cutoff]
        for key in old:
            self.delete(key)
        return len(old)


class LocalStorage(Storage):
    """Files in a folder of this host, one sub-folder per namespace, readable by the platform's user alone."""

    def __init__(self, root: Path):
        self.root = root

    def save(self, data: bytes, namespace: str = "", content_type: str = "application/octet-stream") -> str:
        key = new_key(namespace)
        private_folder(self.root)
        write_private(private_folder(self.root / namespace) / key.rpartition("/")[2], data)
        return key

    def read(self, key: str) -> bytes:
        if not is_key(key):
            raise FileNotFoundError(key)
        return (self.root / key).read_bytes()

    def delete(self, key: str) -> None:
        if is_key(key):
            (self.root / key).unlink(missing_ok=True)

    def _listed(self, namespace: str) -> Iterator[tuple[str, datetime]]:
        folder = self.root / namespace
        for path in folder.iterdir() if NAMESPACE.fullmatch(namespace) and folder.is_dir() else []:
            key = f"{namespace}/{path.name}"
            try:
                stored_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except FileNotFoundError:  # removed meanwhile by another process
                continue
            if is_key(key):
                yield key, stored_at


class S3Storage(Storage):
    """Objects in a bucket of an S3-compatible store, private (no ACL is set), under an optional prefix."""

    def __init__(self, client, bucket: str, prefix: str = "", encryption: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.extra = {"ServerSideEncryption": encryption} if encryption else {}

    def save(self, data: bytes, namespace: str = "", content_type: str = "application/octet-stream") -> str:
        key = new_key(namespace)
        with _store_errors(self.bucket):
            self.client.put_object(
                Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type, **self.extra
            )
        return key

    def read(self, key: str) -> bytes:
        if not is_key(key):
            raise FileNotFoundError(key)
        with _store_errors(self.bucket, missing=key):
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()

    def delete(self, key: str) -> None:
        if is_key(key):
            with _store_errors(self.bucket):
                self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def _listed(self, namespace: str) -> Iterator[tuple[str, datetime]]:
        if not NAMESPACE.fullmatch(namespace):
            return
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}{namespace}/"
        )
        with _store_errors(self.bucket):
            for page in pages:
                for found in page.get("Contents", []):
                    key = found["Key"].removeprefix(self.prefix)
                    if is_key(key):
                        yield key, found["LastModified"]


@contextmanager
def _store_errors(bucket: str, missing: str | None = None) -> Iterator[None]:
    """Turn the SDK's errors into FileNotFoundError (*missing* is not there) or StorageUnavailable."""
    from botocore.exceptions import BotoCoreError, ClientError  # loaded with the S3 client: never on local disk

    try:
        yield
    except ClientError as error:
        if missing is not None and error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(missing) from None
        raise StorageUnavailable(f"The object store refused a request on bucket {bucket}: {error}") from error
    except BotoCoreError as error:
        raise StorageUnavailable(f"The object store of bucket {bucket} did not answer: {error}") from error


def s3_client(config: dict):
    """Return an S3 client for the store of *config*, made to suit stores other than AWS too."""
    import boto3
    from botocore.config import Config

    endpoint = config["S3_ENDPOINT_URL"] or None
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=config["S3_REGION"] or None,
        aws_access_key_id=config["S3_ACCESS_KEY_ID"] or None,
        aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"] or None,
        config=Config(
            # Stores of one's own (MinIO, Ceph) often have no wildcard host names: bucket in the path there.
            s3={"addressing_style": "path" if endpoint else "auto"},
            # Checksum headers sent by default since boto3 1.36 are refused by several S3-compatible stores.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            **S3_TIMEOUTS,
        ),
    )


def init_app(app: Flask) -> None:
    """Make the app's store once: the object store when LMS_S3_BUCKET is set, else the local folder."""
    config = app.config
    if config["S3_BUCKET"]:
        prefix = config["S3_PREFIX"].strip("/")
        app.extensions[EXTENSION] = S3Storage(
            s3_client(config),
            config["S3_BUCKET"],
            f"{prefix}/" if prefix else "",
            config["S3_SERVER_SIDE_ENCRYPTION"],
        )
    else:
        app.extensions[EXTENSION] = LocalStorage(Path(config["STORAGE_DIR"] or Path(app.instance_path) / "uploads"))


def storage() -> Storage:
    """Return the app's file store (see the module's docstring)."""
    return current_app.extensions[EXTENSION]


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


@event.listens_for(Session, "after_commit")
def _remove_doomed_files(session) -> None:
    for store, key in session.info.pop(DOOMED_KEY, []):
        try:
            store.delete(key)
        except OSError:  # the commit stands: a page must not fail for a file left over
            log.exception("Could not remove the stored file %s after commit; it is left over", key)


@event.listens_for(Session, "after_rollback")
def _keep_doomed_files(session) -> None:
    session.info.pop(DOOMED_KEY, None)
