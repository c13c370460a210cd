"""Certificate PDFs: rendered once by a job when the certificate is issued, kept in the file storage, served from
there; the learner is told once that they are ready."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import insert, select, update

from lms.accounts.models import Role, User
from lms.accounts.privacy import erase
from lms.certificates import pdf, services
from lms.certificates.models import Certificate, CertificateFile, ReissueRequest
from lms.core.models import Job, JobState, OutboxMessage
from lms.core.storage import storage
from lms.core.time import utcnow
from lms.extensions import db
from tests.certificates.conftest import code_of, complete_course, pdf_text, text_of

MARIA = "Мария Иванова"


def certificate_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Certificate.id).where(Certificate.code == code))


def files_of(app, code: str) -> dict[str, str]:
    """The certificate's stored PDFs: language -> storage key."""
    with app.app_context():
        rows = db.session.execute(
            select(CertificateFile.language, CertificateFile.storage_key)
            .join(Certificate, Certificate.id == CertificateFile.certificate_id)
            .where(Certificate.code == code)
        )
        return dict(rows.all())


def read_stored(app, key: str) -> bytes:
    with app.app_context():
        return storage().read(key)


def files_in_storage(app) -> set[str]:
    with app.app_context():
        return set(storage().keys("certificates"))


def ready_mails(app, email: str) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.recipient == email, OutboxMessage.body.contains(".pdf"))
        return db.session.scalars(query).all()


def render_jobs(app) -> list[Job]:
    with app.app_context():
        return db.session.scalars(select(Job).where(Job.kind == "certificates.render").order_by(Job.id)).all()


def while_rendering(monkeypatch, app, change) -> None:
    """Make *change* happen on a connection of its own, as another process would, while the first PDF renders."""
    render, changed = pdf.render, []

    def render_and_meanwhile_change(*args, **kwargs):
        if not changed:
            changed.append(True)
            with app.app_context(), db.engine.begin() as connection:
                change(connection)
        return render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render", render_and_meanwhile_change)


@pytest.fixture
def maria(app, course, learner_in):
    """Maria of Bulgaria, who reads Bulgarian, has just completed the course (English and Greek) and got its
    certificate; returns her client and the certificate's code."""
    client = learner_in(MARIA, "maria@example.bg", "BG", "bg")
    complete_course(client)
    return client, code_of(app, MARIA)


@pytest.fixture
def bulgarian_trainer(app, create_user):
    create_user("trainer.bg@example.eu", roles=(Role.TRAINER,), countries=("BG",))
    client = app.test_client()
    client.sign_in("trainer.bg@example.eu")
    return client


def test_issuing_queues_the_rendering_and_meanwhile_the_download_says_the_pdf_is_being_prepared(app, maria):
    client, code = maria

    first = client.get(f"/certificates/{code}.pdf?lang=en")
    again = client.get(f"/certificates/{code}.pdf?lang=en")

    html = first.get_data(as_text=True)
    assert first.status_code == 202 and again.status_code == 202
    assert "The PDF of the certificate of the course “Local voices” is being prepared. Try again in a minute." in html
    assert "You will also receive an e-mail when it is ready." in html
    assert 'href="/certificates/"' in html and f'href="/certificates/{code}.pdf?language=bg"' in html
    jobs = render_jobs(app)
    assert [(job.args, job.state) for job in jobs] == [({"certificate_id": certificate_id(app, code)}, "queued")]
    assert files_of(app, code) == {}


def test_the_job_stores_her_language_at_issue_and_another_offered_one_when_first_asked(app, maria, run_jobs):
    client, code = maria

    run_jobs()
    at_issue = sorted(files_of(app, code))
    served = client.get(f"/certificates/{code}.pdf")
    greek_asked = client.get(f"/certificates/{code}.pdf?language=el")
    run_jobs()
    greek = client.get(f"/certificates/{code}.pdf?language=el")

    assert at_issue == ["bg"]  # her language; the course's others (el, en) when someone asks
    files = files_of(app, code)
    assert served.status_code == 200 and served.data == read_stored(app, files["bg"])
    assert MARIA in text_of(served.data) and code in text_of(served.data).replace("\n", "")
    assert greek_asked.status_code == 202 and sorted(files) == ["bg", "el"]
    assert MARIA in pdf_text(greek) and "Τοπικές φωνές" in pdf_text(greek)
    assert client.get(f"/certificates/{code}.pdf?language=hu").status_code == 404
    assert client.get(f"/certificates/{code}.pdf?language=xx").status_code == 404


def test_a_download_reads_the_storage_and_renders_nothing(app, maria, run_jobs):
    client, code = maria
    run_jobs()
    with app.app_context():
        marker = storage().save(b"%PDF-1.4\n% the stored copy\n%%EOF\n")
        db.session.execute(
            update(CertificateFile)
            .where(CertificateFile.certificate_id == certificate_id(app, code), CertificateFile.language == "bg")
            .values(storage_key=marker)
        )
        db.session.commit()

    served = client.get(f"/certificates/{code}.pdf")

    assert served.data == b"%PDF-1.4\n% the stored copy\n%%EOF\n"
    assert served.headers["Content-Disposition"] == 'attachment; filename="certificate-local-voices-bg.pdf"'


def test_the_learner_is_told_once_in_her_language_that_the_certificate_is_ready(app, course, learner_in, run_jobs):
    eleni = learner_in("Ελένη Παπαδοπούλου", "eleni@example.gr", "GR", "el")
    complete_course(eleni)
    code = code_of(app, "Ελένη Παπαδοπούλου")

    run_jobs()
    with app.app_context():
        services.render_pdfs(certificate_id(app, code))  # run twice, as a job may be
    run_jobs()

    [mail] = ready_mails(app, "eleni@example.gr")
    assert "Τοπικές φωνές" in mail.subject and "Ελένη Παπαδοπούλου" in mail.body
    assert f"/certificates/{code}.pdf?language=el" in mail.body and "/certificates/\n" in mail.body
    assert sorted(files_of(app, code)) == ["el"]
    assert len(files_in_storage(app)) == 1


def test_a_file_lost_from_the_storage_is_rendered_again_at_the_next_download(app, maria, run_jobs):
    client, code = maria
    run_jobs()
    lost = files_of(app, code)["bg"]
    with app.app_context():
        storage().delete(lost)

    waiting = client.get(f"/certificates/{code}.pdf?lang=en")
    run_jobs()
    served = client.get(f"/certificates/{code}.pdf")

    assert waiting.status_code == 202 and "is being prepared" in waiting.get_data(as_text=True)
    assert "You will also receive an e-mail" not in waiting.get_data(as_text=True)  # she was told already
    assert served.status_code == 200 and MARIA in pdf_text(served)
    assert files_of(app, code)["bg"] != lost
    assert [job.state for job in render_jobs(app)] == ["done", "done"]
    assert len(ready_mails(app, "maria@example.bg")) == 1


def test_two_runs_at_once_keep_one_file_per_language_and_no_stray_file(app, maria, run_jobs, monkeypatch):
    _client, code = maria
    with app.app_context():
        first = storage().save(b"%PDF-1.4\n% stored by the other run\n%%EOF\n", "certificates")
    other_run = insert(CertificateFile).values(
        certificate_id=certificate_id(app, code), language="bg", storage_key=first, rendered_at=utcnow()
    )
    while_rendering(monkeypatch, app, lambda connection: connection.execute(other_run))

    run_jobs()

    files = files_of(app, code)
    assert files == {"bg": first}
    assert files_in_storage(app) == set(files.values())
    assert len(ready_mails(app, "maria@example.bg")) == 1


def test_a_name_erased_while_the_pdfs_are_rendered_is_never_stored(app, maria, run_jobs, monkeypatch):
    _client, code = maria
    erased = update(Certificate).where(Certificate.code == code).values(learner_name="—", user_id=None)
    while_rendering(monkeypatch, app, lambda connection: connection.execute(erased))

    run_jobs()

    [job] = render_jobs(app)
    assert job.state == JobState.QUEUED and job.error.startswith("CertificateChanged")
    assert files_of(app, code) == {} and files_in_storage(app) == set()
    with app.app_context():
        db.session.get(Job, job.id).run_at -= timedelta(minutes=2)  # the pause before the next attempt is over
        db.session.commit()
    run_jobs()
    texts = [text_of(read_stored(app, key)) for key in files_of(app, code).values()]
    assert len(texts) == 1 and all("—" in text and MARIA not in text for text in texts)
    assert ready_mails(app, "maria@example.bg") == []


def test_a_re_issued_certificate_is_rendered_anew_and_the_learner_told_again(app, maria, bulgarian_trainer, run_jobs):
    client, old = maria
    run_jobs()
    client.submit("/accounts/profile", {"name": "Maria Ivanova", "language": "bg", "timezone": "Europe/Sofia"})
    client.submit(f"/certificates/{old}/reissue")
    with app.app_context():
        request_id = db.session.scalar(select(ReissueRequest.id))
    bulgarian_trainer.submit(f"/certificates/manage/requests/{request_id}/approve")
    new = code_of(app, "Maria Ivanova")

    waiting = client.get(f"/certificates/{new}.pdf")
    run_jobs()

    assert waiting.status_code == 202
    assert "Maria Ivanova" in pdf_text(client.get(f"/certificates/{new}.pdf"))
    assert sorted(files_of(app, new)) == ["bg"]
    assert MARIA in pdf_text(bulgarian_trainer.get(f"/certificates/{old}.pdf"))  # the replaced one, for managers
    mails = ready_mails(app, "maria@example.bg")
    assert len(mails) == 2 and f"/certificates/{new}.pdf" in mails[1].body


def test_a_revoked_certificate_keeps_its_pdfs_for_the_managers_who_may_still_download_it(
    app, maria, bulgarian_trainer, run_jobs
):
    client, code = maria
    run_jobs()
    stored = files_of(app, code)

    bulgarian_trainer.submit(f"/certificates/manage/{code}/revoke", {"reason": "Attended by a colleague."})

    assert client.get(f"/certificates/{code}.pdf").status_code == 404
    served = bulgarian_trainer.get(f"/certificates/{code}.pdf")
    assert served.status_code == 200 and served.data == read_stored(app, stored["bg"])
    assert files_of(app, code) == stored


def test_erasing_the_learner_deletes_her_pdfs_and_managers_get_them_without_her_name(
    app, maria, bulgarian_trainer, create_user, run_jobs
):
    _client, code = maria
    run_jobs()
    assert len(files_in_storage(app)) == 1
    admin = create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=pyotp.random_base32())
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == "maria@example.bg"))
        erase(person, db.session.get(User, admin))
        db.session.commit()

    assert files_of(app, code) == {} and files_in_storage(app) == set()
    waiting = bulgarian_trainer.get(f"/certificates/{code}.pdf?lang=en")
    assert waiting.status_code == 202 and f'href="/certificates/manage?q={code}"' in waiting.get_data(as_text=True)
    run_jobs()
    text = pdf_text(bulgarian_trainer.get(f"/certificates/{code}.pdf"))
    assert "—" in text and MARIA not in text
