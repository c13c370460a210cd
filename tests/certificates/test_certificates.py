"""Certificates: issued once on completion, PDFs in every script, verification, revocation, re-issue."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.certificates.models import Certificate
from lms.extensions import db

RIGHT = {"q0": "b", "q1": ["a", "c"]}


def complete_course(client) -> None:
    client.submit("/courses/local-voices/enrol")
    client.submit("/courses/local-voices/lessons/first-steps/done")
    client.submit("/courses/local-voices/lessons/second-steps/check", RIGHT)


def code_of(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(Certificate.code).where(Certificate.learner_name == name, Certificate.replaced_at.is_(None))
        )


def pdf_text(response) -> str:
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data)).pages[0].extract_text()


@pytest.fixture
def learner_in(app, create_user, create_organisation):
    """Return a client signed in as a new learner of a town in *country*, named *name*."""

    def make(name: str, email: str, country: str, language: str):
        town = create_organisation(f"Town of {email}", country)
        create_user(email, name=name, organisation_id=town, language=language)
        client = app.test_client()
        client.sign_in(email)
        return client

    return make


def test_greek_and_bulgarian_learners_get_pdfs_with_their_exact_names(app, course, learner_in):
    eleni = learner_in("Ελένη Παπαδοπούλου", "eleni@example.gr", "GR", "el")
    maria = learner_in("Мария Иванова", "maria@example.bg", "BG", "bg")
    complete_course(eleni)
    complete_course(maria)

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


def test_a_misspelt_name_is_corrected_by_re_issuing(app, client, course, learner_in):
    maria = learner_in("Mariya Ivanova", "maria@example.bg", "BG", "bg")
    complete_course(maria)
    old = code_of(app, "Mariya Ivanova")
    maria.submit("/accounts/profile", {"name": "Мария Иванова", "language": "bg", "timezone": "Europe/Sofia"})

    maria.submit(f"/certificates/{old}/reissue")
    new = code_of(app, "Мария Иванова")

    replaced = client.get(f"/certificates/verify/{old}?format=json").get_json()
    assert replaced["status"] == "replaced" and replaced["replaced_by"] == new
    assert client.get(f"/certificates/verify/{new}?format=json").get_json()["status"] == "valid"
    assert "Мария Иванова" in pdf_text(maria.get(f"/certificates/{new}.pdf"))
    assert maria.get(f"/certificates/{old}.pdf").status_code == 404


def test_only_the_learner_and_managers_of_their_country_see_the_pdf(app, course, learner_in, create_user):
    maria = learner_in("Мария Иванова", "maria@example.bg", "BG", "bg")
    complete_course(maria)
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
