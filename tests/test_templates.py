"""Templates escape everything: `|safe` only over HTML that the sanitiser (nh3, an allow-list) wrote, and markup
typed by a person into a lesson, a question or an FAQ answer reaches the page as text or as sanitised HTML."""

import re
from pathlib import Path

from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.core.time import utcnow
from lms.courses.content import load_content
from lms.courses.services import import_content
from lms.extensions import db
from lms.support import services as support
from lms.support.models import Ticket

LMS = Path(__file__).resolve().parents[1] / "lms"
#: (template, expression) of every `|safe`; each holds HTML written by the sanitiser of lms/core/markdown.py or
#: lms/courses/markdown.py, as the tests below check.
SANITISED = {
    ("courses/lesson.html", "text.html"),
    ("support/faq_entry.html", "entry.answer_html"),
    ("support/ticket.html", "message.html"),
}
#: What a person types to take over a reader's page.
PAYLOAD = '</div></script><meta http-equiv="refresh" content="0;url=http://evil.example/"><script>alert(1)</script>'
UNSAFE = ("<meta http-equiv", "<script>alert")


def unsafe_uses() -> set[tuple[str, str]]:
    """Return (template, expression) of every `|safe` and every turned-off autoescape in the templates."""
    found = set()
    for path in LMS.rglob("templates/**/*.html"):
        name = path.relative_to(next(parent for parent in path.parents if parent.name == "templates")).as_posix()
        source = path.read_text(encoding="utf-8")
        found |= {(name, expression.strip()) for expression in re.findall(r"\{\{([^{}]*?)\|\s*safe\b", source)}
        found |= {(name, "autoescape false") for _match in re.findall(r"autoescape\s+false", source)}
    return found


def test_safe_is_used_only_over_sanitised_html():
    assert unsafe_uses() <= SANITISED, "escape it, or sanitise it and add it to SANITISED with a test below"


def test_a_lesson_written_with_markup_is_sanitised(app, client, learner, content_dir):
    lesson = content_dir / "local-voices/lessons/first-steps/en.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"\n\n{PAYLOAD}\n", encoding="utf-8")
    app.config["CONTENT_DIR"] = str(content_dir)
    with app.app_context():
        import_content(load_content(content_dir))
        db.session.commit()
    client.submit("/courses/local-voices/enrol")

    page = client.get("/courses/local-voices/lessons/first-steps").get_data(as_text=True)

    assert "&lt;meta http-equiv" in page and not any(unsafe in page for unsafe in UNSAFE)


def test_a_question_and_its_faq_answer_written_with_markup_are_sanitised(app, client, learner, create_user):
    client.submit(
        "/support/ask",
        {"subject": "A viral post", "topic": "communication", "language": "en", "body": PAYLOAD, "files": []},
        content_type="multipart/form-data",
    )
    expert = create_user("expert@example.eu", name="Anja Kos", roles=(Role.EXPERT,))
    with app.app_context():
        ticket = db.session.scalar(select(Ticket))
        ticket.first_response_at = utcnow()
        entry = support.publish_faq(ticket, db.session.get(User, expert), "A viral post?", PAYLOAD)
        db.session.commit()
        ticket_id, entry_id = ticket.id, entry.id

    thread = client.get(f"/support/{ticket_id}").get_data(as_text=True)
    faq = client.get(f"/support/faq/{entry_id}").get_data(as_text=True)

    for page in (thread, faq):
        assert "&lt;meta http-equiv" in page and not any(unsafe in page for unsafe in UNSAFE)
