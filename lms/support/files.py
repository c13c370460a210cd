"""Attachments: the type is read from the content, never trusted from the name."""

import io
import re
import zipfile
import zlib

from flask import current_app
from flask_babel import gettext as _

#: What people may attach, as (content type, extension) found by reading the file's first bytes.
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
]
OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


#: What checking an office document may cost: entries listed, bytes of `mimetype` read, and how much an entry
#: may unpack to. Office files hold a few hundred entries; their XML packs 5 to 30 times, nothing near 100.
MAX_ENTRIES = 5000
MIMETYPE_BYTES = 100
MAX_RATIO = 100
SMALL_ENTRY = 1024 * 1024
#: The end records of a ZIP archive, read before the directory is parsed.
END_OF_DIRECTORY, ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x07"


class FileRefused(ValueError):
    """The file cannot be attached; the message says why."""


class Bomb(ValueError):
    """An archive made to unpack to far more than it weighs, or to list more entries than any document has."""


def _declared_entries(data: bytes) -> int:
    """Return how many entries the archive's end record declares; ZIP64 archives, never needed here, count as bombs."""
    end = data.rfind(END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return 0
    if data[max(0, end - 20) : end - 16] == ZIP64_LOCATOR:
        raise Bomb()
    return int.from_bytes(data[end + 10 : end + 12], "little")


def _office(data: bytes) -> tuple[str, str] | None:
    """Return the kind of an OOXML or OpenDocument file, reading at most MIMETYPE_BYTES of what it unpacks to."""
    if _declared_entries(data) > MAX_ENTRIES:
        raise Bomb()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return None
    if len(entries) > MAX_ENTRIES or any(
        entry.file_size > SMALL_ENTRY and entry.file_size > MAX_RATIO * entry.compress_size for entry in entries
    ):
        raise Bomb()
    names = {entry.filename for entry in entries}
    if "mimetype" in names:
        try:
            with archive.open("mimetype") as entry:
                kind = entry.read(MIMETYPE_BYTES).strip()
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
            return None
        if kind in OPEN_DOCUMENT:
            return kind.decode(), OPEN_DOCUMENT[kind]
    if "[Content_Types].xml" in names:
        for prefix, found in OFFICE.items():
            if any(name.startswith(prefix) for name in names):
                return found
    return None


def sniff(data: bytes) -> tuple[str, str] | None:
    """Return (content type, extension) of an allowed kind of file, judged by its bytes, or None."""
    for signature, content_type, extension in SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    return None


def check(filename: str, data: bytes) -> tuple[str, str]:
    """Return a safe file name and the content type of an upload, or refuse it with a clear reason."""
    limit = current_app.config["SUPPORT_MAX_ATTACHMENT_MB"]
    if any(part in filename for part in ("/", "\\", "..")) or filename.startswith("."):
        raise FileRefused(_("“%(name)s”: a file name may not contain a folder or a path.", name=filename))
    if len(data) > limit * 1024 * 1024:
        raise FileRefused(_("“%(name)s” is larger than %(limit)s MB.", name=filename, limit=limit))
    try:
        found = sniff(data)
    except Bomb:
        raise FileRefused(
            _(
                "“%(name)s” is an archive that would unpack to far more than its size, or holds too many files; "
                "it was not accepted.",
                name=filename,
            )
        ) from None
    if found is None:
        raise FileRefused(
            _(
                "“%(name)s” is not a PDF, an image or an office document (its content was checked, not its name).",
                name=filename,
            )
        )
    content_type, extension = found
    stem = re.sub(r"[^\w\-. ]+", "_", filename.rsplit(".", 1)[0]).strip(" ._")[:80] or "file"
    return f"{stem}.{extension}", content_type
