"""What certificate PDFs cost: a worker's time to render them once, at issue, and a download of the stored file.

First one process renders Greek, Bulgarian and English certificates for a few seconds. Then, on a fresh SQLite instance
with the demo data, the render job of one demo certificate runs in this process, as a worker would run it, and that
certificate's stored PDF is downloaded by its learner, signed in, from gunicorn for a few seconds.
Run with `make bench` (or `.venv/bin/python bench/certificates.py`).
"""

import http.client
import time
from pathlib import Path

from harness import WORKERS, gunicorn, load, platform_environment, prepare_platform, scalar, sign_in
from sqlalchemy import func, select

from lms import create_app
from lms.certificates import pdf
from lms.certificates.models import Certificate, CertificateFile
from lms.core import jobs
from lms.core.config import database_uri
from lms.core.demo import DEMO_PASSWORD
from lms.core.models import Job
from lms.core.time import utcnow
from lms.extensions import db

SECONDS = 5
LEARNERS = [("Ελένη Παπαδοπούλου", "el"), ("Мария Иванова", "bg"), ("Špela Horvat", "en")]
TITLES = {
    "en": "Telling positive stories about migration and integration",
    "el": "Αφήγηση θετικών ιστοριών",
    "bg": "Разказване на положителни истории",
}
#: A current certificate of a demo learner who signs in with the demo password.
OWNED_CERTIFICATE = (
    "SELECT c.code FROM certificates_certificates c JOIN accounts_users u ON u.id = c.user_id "
    "WHERE u.password_hash IS NOT NULL AND c.revoked_at IS NULL AND c.replaced_at IS NULL ORDER BY c.id"
)


def rendering(seconds: float) -> tuple[int, float, int]:
    """Render certificates in one process for *seconds*; return how many, in how long, and their total size."""
    env = platform_environment()
    app = create_app({"SECRET_KEY": env["SECRET_KEY"], "TESTING": True})
    certificates = [
        Certificate(
            code="ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23",
            course_slug="positive-stories",
            learner_name=name,
            organisation_name="Община Бургас",
            course_titles=TITLES,
            default_language="en",
            language=language,
            duration_minutes=140,
            completed_at=utcnow(),
        )
        for name, language in LEARNERS
    ]
    with app.test_request_context():
        pdf.render(certificates[0], "el", "https://learn.example.eu/v")  # load the fonts once
        count, sizes, started = 0, 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            certificate = certificates[count % len(certificates)]
            sizes += len(
                pdf.render(certificate, certificate.language, "https://learn.example.eu/certificates/verify/ABCD")
            )
            count += 1
    return count, time.perf_counter() - started, sizes


def _pdf_answer(port: int, path: str, cookie: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Content-Type")
    finally:
        connection.close()


def render_job(env: dict, code: str) -> tuple[float, int]:
    """Run the render job of the certificate *code* in this process, as a worker would; return its seconds and
    how many PDFs it stored."""
    instance = env["LMS_INSTANCE_PATH"]
    app = create_app(
        {
            "SECRET_KEY": env["SECRET_KEY"],
            "DATABASE_URL": database_uri(env["DATABASE_URL"], instance),
            "STORAGE_DIR": str(Path(instance) / "uploads"),
        }
    )
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
        job_id = db.session.scalar(
            select(Job.id).where(
                Job.kind == "certificates.render", Job.args["certificate_id"].as_integer() == certificate.id
            )
        )
        started = time.perf_counter()
        if not jobs.execute(job_id):
            raise RuntimeError(f"The render job of {code} did not run")
        elapsed = time.perf_counter() - started
        stored = db.session.scalar(
            select(func.count()).select_from(CertificateFile).where(CertificateFile.certificate_id == certificate.id)
        )
        db.engine.dispose()
    return elapsed, stored


def downloading(seconds: float):
    """Render one demo certificate by its job, then load the download of its stored PDF; return the job's seconds,
    the PDFs it stored, and the download's figures."""
    env = platform_environment()
    prepare_platform(env)
    code = scalar(env, OWNED_CERTIFICATE)
    owner = "SELECT u.email FROM accounts_users u JOIN certificates_certificates c ON c.user_id = u.id"
    email = scalar(env, f"{owner} WHERE c.code = :code", code=code)
    job_seconds, stored = render_job(env, code)
    with gunicorn("lms:create_app()", env) as (port, _master):
        cookie = sign_in(port, email, DEMO_PASSWORD)
        path = f"/certificates/{code}.pdf"
        answer = _pdf_answer(port, path, cookie)
        if answer != (200, "application/pdf"):
            raise RuntimeError(f"The download of {path} answered {answer}, not a stored PDF")
        figures = load(port, path, {"Cookie": cookie}, seconds=seconds)
    return job_seconds, stored, figures


def main(seconds: float = SECONDS) -> str:
    count, elapsed, sizes = rendering(seconds)
    ms_per_pdf = 1000 * elapsed / count
    job_seconds, stored, download = downloading(seconds)
    return "\n".join(
        [
            f"Rendering: one process, {seconds:.0f} s, rotating Greek, Bulgarian and English certificates "
            "(A4, DejaVu Sans subset, QR code).",
            "",
            "| PDFs per second | ms per PDF | average size |",
            "| ---: | ---: | ---: |",
            f"| {count / elapsed:.1f} | {ms_per_pdf:.0f} | {sizes / count / 1024:.0f} KiB |",
            "",
            "The certificates.render job renders each certificate once: at issue in the learner's language, and in "
            "another language of the course when someone first asks for it. For a demo certificate it stored "
            f"{stored} PDF(s) in {job_seconds:.2f} s of a worker ({1000 * job_seconds / stored:.0f} ms per PDF, "
            "storage and database included).",
            "",
            f"Download of a stored PDF: a signed-in learner, gunicorn with {WORKERS} sync workers, SQLite, "
            f"{seconds:.0f} s.",
            "",
            "| downloads/s | p50 ms | p99 ms | errors |",
            "| ---: | ---: | ---: | ---: |",
            f"| {download.per_second:.0f} | {download.p50_ms:.1f} | {download.p99_ms:.1f} | {download.errors} |",
            "",
            f"Rendered at every download, as before, a PDF held a worker for about {ms_per_pdf:.0f} ms: at most "
            f"{WORKERS * 1000 / ms_per_pdf:.0f} downloads a second with {WORKERS} workers.",
        ]
    )


if __name__ == "__main__":
    print(main())
