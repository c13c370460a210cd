"""Attachments: the type is read from the content, never trusted from the name."""

import io
import re
import zipfile

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


class FileRefused(ValueError):
    """The file cannot be attached; the message says why."""


def _office(data: bytes) -> tuple[str, str] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "mimetype" in names:
        kind = archive.read("mimetype").strip()
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
    found = sniff(data)
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
