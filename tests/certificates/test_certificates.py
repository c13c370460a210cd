"""Certificates: issued once on completion, PDFs in every script, verification, revocation, re-issue."""

import re

import pyotp
import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.certificates.models import Certificate, ReissueRequest
from lms.core.time import utcnow
from lms.extensions import db
from tests.certificates.conftest import RIGHT, code_of, complete_course, pdf_text

ADMIN_SECRET = pyotp.random_base32()


def test_greek_and_bulgarian_learners_get_pdfs_with_their_exact_names(app, course, learner_in, run_jobs):
    eleni = learner_in("Ελένη Παπαδοπούλου", "eleni@example.gr", "GR", "el")
    maria = learner_in("Мария Иванова", "maria@example.bg", "BG", "bg")
    complete_course(eleni)
    complete_course(maria)
    run_jobs()

    maria.get(f"/certificates/{code_of(app, 'Мария Иванова')}.pdf?language=en")  # asks for it: being prepared
    run_jobs()
    greek = pdf_text(eleni.get(f"/certificates/{code_of(app, 'Ελένη Παπαδοπούλου')}.pdf"))
    bulgarian = pdf_text(maria.get(f"/certificates/{code_of(app, 'Мария Иванова')}.pdf"))
    english = pdf_text(maria.get(f"/certificates/{code_of(app, 'Мария Иванова')}.pdf?language=en"))

    assert "Ελένη Παπαδοπούλου" in greek and "Τοπικές φωνές" in greek
    assert "Мария Иванова" in bulgarian and "Local voices" in bulgarian
    assert code_of(app, "Мария Иванова") in bulgarian.replace("\n", "")
    assert "Certificate of completion" in english and "Certificate of completion" not in greek


def test_a_certificate_is_issued_once(app, course, learner_in):
    eleni = learner_in("Ελένη Παπαδοπούλου", "eleni@example.gr", "GR", "el")
    complete_course(eleni)

    eleni.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)
    eleni.submit("/courses/local-voices/lessons/first-steps/done")

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert "Τοπικές φωνές" in eleni.get("/certificates/").get_data(as_text=True)


def test_no_certificate_before_completion(app, course, learner_in):
    eleni = learner_in("Ελένη Παπαδοπούλου", "eleni@example.gr", "GR", "el")
    eleni.submit("/courses/local-voices/enrol")
    eleni.submit("/courses/local-voices/lessons/first-steps/done")

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_verification_answers_valid_then_revoked_and_unknown(app, client, course, learner_in, create_user):
    maria = learner_in("Мария Иванова", "maria@example.bg", "BG", "bg")
    complete_course(maria)
    code = code_of(app, "Мария Иванова")
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("BG",))

    valid = client.get(f"/certificates/verify/{code}?format=json").get_json()
    page = client.get(f"/certificates/verify?code={code.lower().replace('-', ' ')}").get_data(as_text=True)
    client.sign_in("trainer@example.eu")
    client.submit(f"/certificates/manage/{code}/revoke", {"reason": "Course attended by a colleague in her name."})
    revoked = client.get(f"/certificates/verify/{code}", headers={"Accept": "application/json"}).get_json()
    unknown = client.get("/certificates/verify/ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23?format=json").get_json()

    assert valid["status"] == "valid" and valid["name"] == "Мария Иванова" and valid["course"] == "Local voices"
    assert set(valid) == {"status", "code", "name", "course", "course_titles", "completed_on", "hours", "issued_on"}
    assert "This certificate is valid." in page
    assert revoked["status"] == "revoked" and revoked["revoked_on"]
    assert unknown["status"] == "unknown"
    assert "reason" not in str(revoked) and "colleague" not in str(revoked)


def signed_in(app, email: str):
    client = app.test_client()
    client.sign_in(email)
    if email == "admin@example.eu":
        client.submit("/accounts/sign-in/code", {"code": pyotp.TOTP(ADMIN_SECRET).now()})
    return client


def request_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ReissueRequest.id).where(ReissueRequest.decided_at.is_(None)))


@pytest.fixture
def renamed(app, course, learner_in, create_user):
    """Maria of Bulgaria completed the course as "Mariya Ivanova", then renamed herself and asked for a re-issue;
    the trainers of Bulgaria and of Hungary, and an admin."""
    maria = learner_in("Mariya Ivanova", "maria@example.bg", "BG", "bg")
    complete_course(maria)
    old = code_of(app, "Mariya Ivanova")
    create_user("trainer.bg@example.eu", roles=(Role.TRAINER,), countries=("BG",))
    create_user("trainer.hu@example.eu", roles=(Role.TRAINER,), countries=("HU",))
    create_user("admin@example.eu", roles=(Role.ADMIN,), two_factor_secret=ADMIN_SECRET)
    maria.submit("/accounts/profile", {"name": "Мария Иванова", "language": "bg", "timezone": "Europe/Sofia"})
    maria.submit(f"/certificates/{old}/reissue")
    return maria, old


def test_renaming_oneself_and_re_issuing_changes_nothing_that_verification_confirms(app, client, renamed, run_jobs):
    maria, old = renamed
    run_jobs()

    verified = client.get(f"/certificates/verify/{old}?format=json").get_json()
    mine = maria.get("/certificates/?lang=en").get_data(as_text=True)

    assert verified["status"] == "valid" and verified["name"] == "Mariya Ivanova" and "reissued_on" not in verified
    assert code_of(app, "Мария Иванова") is None
    assert "Your request to re-issue it under “Мария Иванова” is waiting for approval" in mine
    assert "Mariya Ivanova" in pdf_text(maria.get(f"/certificates/{old}.pdf"))
    assert maria.submit(f"/certificates/manage/requests/{request_id(app)}/approve").status_code == 403


def test_a_trainer_of_another_country_can_neither_see_nor_decide_the_request(app, client, renamed):
    _maria, old = renamed
    hungarian = signed_in(app, "trainer.hu@example.eu")

    listed = hungarian.get("/certificates/manage/requests").get_data(as_text=True)
    approve = hungarian.submit(f"/certificates/manage/requests/{request_id(app)}/approve")
    refuse = hungarian.submit(f"/certificates/manage/requests/{request_id(app)}/refuse")

    assert "Мария Иванова" not in listed and "No request is waiting." in listed
    assert approve.status_code == 404 and refuse.status_code == 404
    assert client.get(f"/certificates/verify/{old}?format=json").get_json()["name"] == "Mariya Ivanova"


@pytest.mark.parametrize("approver", ["trainer.bg@example.eu", "admin@example.eu"])
def test_the_trainer_of_the_country_or_an_admin_approves_and_both_verifications_tell_it(
    app, client, renamed, approver, run_jobs
):
    maria, old = renamed
    manager = signed_in(app, approver)
    certificates = manager.get("/certificates/manage").get_data(as_text=True)
    listed = manager.get("/certificates/manage/requests").get_data(as_text=True)

    manager.submit(f"/certificates/manage/requests/{request_id(app)}/approve")
    new = code_of(app, "Мария Иванова")
    run_jobs()

    replaced = client.get(f"/certificates/verify/{old}?format=json").get_json()
    current = client.get(f"/certificates/verify/{new}?format=json").get_json()
    old_page = client.get(f"/certificates/verify/{old}?lang=en").get_data(as_text=True)
    new_page = client.get(f"/certificates/verify/{new}?lang=en").get_data(as_text=True)
    today = utcnow().date().isoformat()
    assert "1 request to re-issue a certificate under another name is waiting." in certificates
    assert "Mariya Ivanova" in listed and "Мария Иванова" in listed
    assert replaced["status"] == "replaced" and replaced["replaced_by"] == new and replaced["replaced_on"] == today
    assert current["status"] == "valid" and current["name"] == "Мария Иванова"
    assert current["reissued_on"] == today and current["replaces_issued_on"] == replaced["issued_on"]
    assert "This certificate was replaced by a corrected one on " in old_page
    assert "Re-issued on " in new_page and "under a corrected name; it replaces a certificate issued on" in new_page
    assert "Мария Иванова" in pdf_text(maria.get(f"/certificates/{new}.pdf"))
    assert maria.get(f"/certificates/{old}.pdf").status_code == 404


def test_a_refused_request_leaves_the_certificate_as_it_was(app, client, renamed):
    maria, old = renamed
    bulgarian = signed_in(app, "trainer.bg@example.eu")

    bulgarian.submit(f"/certificates/manage/requests/{request_id(app)}/refuse")

    assert client.get(f"/certificates/verify/{old}?format=json").get_json()["name"] == "Mariya Ivanova"
    assert "was refused on" in maria.get("/certificates/?lang=en").get_data(as_text=True)
    assert "No request is waiting." in bulgarian.get("/certificates/manage/requests").get_data(as_text=True)


def test_nobody_approves_their_own_new_name(app, course, create_user, create_organisation):
    town = create_organisation("Община Бургас", "BG")
    roles = (Role.LEARNER, Role.TRAINER)
    create_user("trainer@example.bg", name="Ivan Petrov", roles=roles, countries=("BG",), organisation_id=town)
    trainer = signed_in(app, "trainer@example.bg")
    complete_course(trainer)
    code = code_of(app, "Ivan Petrov")
    trainer.submit("/accounts/profile", {"name": "Someone Else", "language": "en", "timezone": "Europe/Sofia"})
    trainer.submit(f"/certificates/{code}/reissue")

    assert trainer.submit(f"/certificates/manage/requests/{request_id(app)}/approve").status_code == 404
    assert code_of(app, "Someone Else") is None


def test_re_issuing_under_the_same_name_is_refused_as_before(app, course, learner_in):
    maria = learner_in("Мария Иванова", "maria@example.bg", "BG", "en")
    complete_course(maria)

    answer = maria.submit(f"/certificates/{code_of(app, 'Мария Иванова')}/reissue", follow_redirects=True)

    assert "The certificate already carries the name of your profile." in answer.get_data(as_text=True)
    assert request_id(app) is None


def test_only_the_learner_and_managers_of_their_country_see_the_pdf(app, course, learner_in, create_user, run_jobs):
    maria = learner_in("Мария Иванова", "maria@example.bg", "BG", "bg")
    complete_course(maria)
    run_jobs()
    code = code_of(app, "Мария Иванова")
    other = learner_in("Ioana Popescu", "ioana@example.ro", "RO", "ro")
    create_user("trainer.hu@example.eu", roles=(Role.TRAINER,), countries=("HU",))
    create_user("trainer.bg@example.eu", roles=(Role.TRAINER,), countries=("BG",))
    hungarian, bulgarian = app.test_client(), app.test_client()
    hungarian.sign_in("trainer.hu@example.eu")
    bulgarian.sign_in("trainer.bg@example.eu")

    assert other.get(f"/certificates/{code}.pdf").status_code == 403
    assert hungarian.get(f"/certificates/{code}.pdf").status_code == 403
    assert hungarian.submit(f"/certificates/manage/{code}/revoke", {"reason": "x"}).status_code == 403
    assert "Мария Иванова" not in hungarian.get("/certificates/manage").get_data(as_text=True)
    assert bulgarian.get(f"/certificates/{code}.pdf").status_code == 200
    assert "Мария Иванова" in bulgarian.get("/certificates/manage").get_data(as_text=True)
    assert app.test_client().get(f"/certificates/{code}.pdf").headers["Location"].startswith("/accounts/sign-in")


def test_the_certificate_travels_as_an_open_badge(app, client, course, learner_in):
    maria = learner_in("Мария Иванова", "maria@example.bg", "BG", "bg")
    complete_course(maria)
    code = code_of(app, "Мария Иванова")

    badge = client.get(f"/certificates/{code}/credential.json").get_json()

    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["credentialSubject"]["achievement"]["name"] == "Local voices"
    assert badge["credentialSubject"]["identifier"][0]["identityHash"] == "Мария Иванова"
    assert badge["credentialStatus"]["id"].endswith(f"/certificates/verify/{code}?format=json")
    assert client.get(badge["issuer"]["id"].replace("http://localhost", "")).get_json()["type"] == ["Profile"]


def test_verification_is_rate_limited(client):
    statuses = [client.get(f"/certificates/verify/GUESS-{n:05d}?format=json").status_code for n in range(31)]

    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_codes_are_unguessable():
    from lms.certificates.services import new_code

    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){6}", code) for code in codes)


def test_the_course_page_links_to_the_certificate(app, course, learner_in):
    eleni = learner_in("Ελένη Παπαδοπούλου", "eleni@example.gr", "GR", "en")
    complete_course(eleni)

    html = eleni.get("/courses/local-voices").get_data(as_text=True)

    assert "You have earned the certificate of this course." in html
    assert f'href="/certificates/{code_of(app, "Ελένη Παπαδοπούλου")}.pdf"' in html
