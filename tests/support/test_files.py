"""Attachments are judged by their content without unpacking them: a zip bomb is refused, and checking it costs
a few megabytes however much it would unpack to."""

import io
import tracemalloc
import zipfile

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.support import files
from lms.support.models import Ticket

#: What the bomb unpacks to: 256 MiB of zeros, packed into a quarter of a megabyte.
UNPACKED = 256 * 1024 * 1024
#: What checking any upload may cost in memory, well below what the bomb unpacks to.
BOUND = 8 * 1024 * 1024


def archive(entries: dict[str, bytes], stored: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in entries.items():
            zipped.writestr(name, content, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """An OpenDocument text whose `mimetype` entry unpacks to UNPACKED bytes, its sizes declared honestly."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        with zipped.open("mimetype", "w") as entry:
            for _chunk in range(UNPACKED // (1024 * 1024)):
                entry.write(bytes(1024 * 1024))
        zipped.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def lying(bomb: bytes) -> bytes:
    """The bomb with headers that declare its `mimetype` entry 64 bytes long."""
    data = bytearray(bomb)
    entry = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("mimetype")
    directory = data.index(b"PK\x01\x02")
    data[entry.header_offset + 22 : entry.header_offset + 26] = (64).to_bytes(4, "little")
    data[directory + 24 : directory + 28] = (64).to_bytes(4, "little")
    return bytes(data)


def checked(filename: str, data: bytes) -> tuple[object, int]:
    """Return what checking the file answers (or the refusal), and the peak of memory it took."""
    tracemalloc.start()
    try:
        answer = files.check(filename, data)
    except files.FileRefused as refusal:
        answer = refusal
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return answer, peak


def test_a_zip_bomb_is_refused_without_being_unpacked(app_ctx, bomb):
    answer, peak = checked("report.odt", bomb)

    assert len(bomb) < 512 * 1024 and peak < BOUND
    assert isinstance(answer, files.FileRefused) and "would unpack to far more than its size" in str(answer)


def test_a_bomb_that_lies_about_its_size_is_read_only_a_little(app_ctx, bomb):
    answer, peak = checked("report.odt", lying(bomb))

    assert isinstance(answer, files.FileRefused) and "is not a PDF, an image or an office document" in str(answer)
    assert peak < BOUND


def test_an_archive_listing_more_entries_than_any_document_is_refused_before_its_list_is_read(app_ctx):
    many = archive({"[Content_Types].xml": b"<Types/>", **{f"word/{n}.xml": b"" for n in range(files.MAX_ENTRIES)}})

    answer, _peak = checked("letter.docx", many)

    assert isinstance(answer, files.FileRefused) and "holds too many files" in str(answer)


def test_real_office_documents_are_still_accepted(app_ctx):
    docx = archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 2000})
    odt = archive(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:text/>" * 2000},
        stored=("mimetype",),
    )

    assert files.check("letter.docx", docx) == ("letter.docx", files.OFFICE["word/"][0])
    assert files.check("minutes.odt", odt) == ("minutes.odt", "application/vnd.oasis.opendocument.text")


def test_the_learner_reads_why_beside_the_field(app, client, learner, bomb):
    response = client.submit(
        "/support/ask",
        {
            "subject": "Our leaflet",
            "topic": "communication",
            "language": "en",
            "body": "Is it clear?",
            "files": [(io.BytesIO(bomb), "leaflet.odt")],
        },
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“leaflet.odt” is an archive that would unpack to far more than its size" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
