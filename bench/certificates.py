"""How many certificate PDFs per second one process renders, in Greek, Bulgarian and English.

Run with `make bench` (or `.venv/bin/python bench/certificates.py`).
"""

import time

from harness import WORKERS, platform_environment

from lms import create_app
from lms.certificates import pdf
from lms.certificates.models import Certificate
from lms.core.time import utcnow

LEARNERS = [("Ελένη Παπαδοπούλου", "el"), ("Мария Иванова", "bg"), ("Špela Horvat", "en")]
TITLES = {
    "en": "Telling positive stories about migration and integration",
    "el": "Αφήγηση θετικών ιστοριών",
    "bg": "Разказване на положителни истории",
}


def main(seconds: float = 5) -> str:
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
        elapsed = time.perf_counter() - started
    return "\n".join(
        [
            f"One process, {seconds:.0f} s, rotating Greek, Bulgarian and English certificates "
            "(A4, DejaVu Sans subset, QR code).",
            "",
            "| PDFs per second | ms per PDF | average size |",
            "| ---: | ---: | ---: |",
            f"| {count / elapsed:.1f} | {1000 * elapsed / count:.0f} | {sizes / count / 1024:.0f} KiB |",
            "",
            "A PDF is rendered in the request that downloads it, so each download holds a gunicorn worker for about "
            f"{1000 * elapsed / count:.0f} ms; with {WORKERS} workers the platform serves at most "
            f"{WORKERS * count / elapsed:.0f} downloads a second.",
        ]
    )


if __name__ == "__main__":
    print(main())
