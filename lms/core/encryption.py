"""Secrets the platform must read back (authenticator keys), kept encrypted in the database.

Fernet (AES-128-CBC with an HMAC-SHA256, from the `cryptography` package) under a key derived from
ENCRYPTION_KEY, or from SECRET_KEY when that is unset. Whoever reads the database or a backup without the
configuration learns nothing from these columns.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class DecryptionError(RuntimeError):
    """A stored secret does not open with the configured key."""


@lru_cache(maxsize=4)
def fernet(material: str) -> Fernet:
    """Return the Fernet of key *material* (any long random string)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"clarinet-lms secrets at rest").derive(
        material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def current_fernet() -> Fernet:
    """Return the Fernet of this platform's configuration."""
    config = current_app.config
    return fernet(config["ENCRYPTION_KEY"] or config["SECRET_KEY"])


def encrypt(text: str) -> str:
    return current_fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return current_fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise DecryptionError(
            "A secret in the database does not open with this configuration's key: LMS_ENCRYPTION_KEY (or, when it "
            "is unset, SECRET_KEY) is not the one it was encrypted with."
        ) from None


class EncryptedString(TypeDecorator):
    """A text column stored encrypted, read back in clear (no search or comparison in SQL)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
