"""The rules of certificates: issue once, re-issue under another name once approved, revoke, verify, list."""

import base64
import logging
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from lms import signals
from lms.accounts.access import country_scope, within_scope
from lms.accounts.models import Role, User
from lms.certificates.models import Certificate, CertificateFile, ReissueRequest
from lms.core.jobs import enqueue
from lms.core.mail import external_url, queue_mail
from lms.core.models import Job, JobState
from lms.core.storage import storage
from lms.core.time import utcnow
from lms.courses import api as courses
from lms.extensions import db, dialect_insert

log = logging.getLogger("lms.certificates")


class CertificateError(ValueError):
    """A rule was broken; the message is translated."""


CODE_LENGTH = 28


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_code() -> str:
    """Return an unguessable verification code: 140 random bits, in groups of four for reading aloud."""
    return _grouped(base64.b32encode(secrets.token_bytes(18)).decode()[:CODE_LENGTH])


def normalise_code(code: str) -> str:
    """Return *code* as stored, whatever spacing and case it was typed with."""
    return _grouped("".join(ch for ch in code.upper() if ch.isalnum())[:CODE_LENGTH])


def current_certificate(user: User, course_slug: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.course_slug == course_slug,
            Certificate.replaced_at.is_(None),
        )
    )


def _issue(
    user: User, course_slug: str, completed_at, replaces: Certificate | None = None, name: str | None = None
) -> Certificate:
    info = courses.course_info(course_slug)
    certificate = Certificate(
        code=new_code(),
        user_id=user.id,
        course_slug=course_slug,
        learner_name=name or user.name,
        organisation_name=user.organisation.name if user.organisation else None,
        country=user.country,
        course_titles=info.titles,
        default_language=info.default_language,
        language=user.language,
        duration_minutes=info.duration_minutes,
        completed_at=completed_at,
        replaces_id=replaces.id if replaces else None,
    )
    db.session.add(certificate)
    db.session.flush()
    enqueue(RENDER_JOB, certificate_id=certificate.id)
    log.info("Certificate %s issued to user %s for %s", certificate.id, user.id, course_slug)
    signals.certificate_issued.send(certificate, user=user, course_slug=course_slug)
    return certificate


#: The kind of job that renders and stores a certificate's PDFs.
RENDER_JOB = "certificates.render"


class CertificateChanged(Exception):
    """The certificate's wording changed while its PDFs were rendered (its learner was erased): render again."""


def render_pdfs(certificate_id: int, languages: list[str] | None = None) -> None:
    """The job: render the certificate's PDF in *languages* (at issue, the learner's language) where it is offered
    and not stored yet, store them, and tell the learner once that their certificate is ready. Other languages are
    rendered when first asked for. Safe to run twice, and at once: a language stored meanwhile by another run is
    kept, and the copy made here is removed."""
    from lms.certificates import pdf  # the PDF library weighs 17 MiB: loaded by the workers that render

    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        return
    stored = set(
        db.session.scalars(select(CertificateFile.language).where(CertificateFile.certificate_id == certificate_id))
    )
    verify_url = external_url("certificates.verify", code=certificate.code)
    wording = _wording(certificate)
    wanted = [code for code in languages or [certificate.language] if code in certificate.languages]
    documents = {code: pdf.render(certificate, code, verify_url) for code in wanted if code not in stored}
    saved = {}
    try:
        for language, document in documents.items():
            saved[language] = storage().save(document, "certificates", "application/pdf")
        _keep_files(certificate_id, wording, saved)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in saved.values():
            storage().delete(key)
        raise
    log.info("Certificate %s rendered in %s", certificate_id, ", ".join(saved) or "no new language")


def _wording(certificate: Certificate) -> tuple:
    return certificate.learner_name, certificate.organisation_name


def _keep_files(certificate_id: int, wording: tuple, saved: dict[str, str]) -> None:
    """Record the files *saved* (language -> key) unless the certificate's wording changed since it was read;
    then mail the learner of a valid certificate, once."""
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if _wording(certificate) != wording:
        raise CertificateChanged(f"Certificate {certificate_id} changed while its PDFs were rendered.")
    for language, key in list(saved.items()):
        kept = db.session.scalar(
            dialect_insert(CertificateFile)
            .values(certificate_id=certificate_id, language=language, storage_key=key, rendered_at=utcnow())
            .on_conflict_do_nothing(index_elements=["certificate_id", "language"])
            .returning(CertificateFile.id)
        )
        if kept is None:  # another run stored this language first
            storage().delete(saved.pop(language))
    if certificate.status == "valid" and certificate.user_id is not None:
        _mail_ready_once(certificate)


def _mail_ready_once(certificate: Certificate) -> None:
    marked = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.ready_mailed_at.is_(None))
        .values(ready_mailed_at=utcnow())
    )
    if marked.rowcount != 1:
        return
    learner = db.session.get(User, certificate.user_id)
    queue_mail(
        learner.email,
        "certificates/mail/ready.txt",
        learner.language,
        user=learner,
        course=certificate.course_title(learner.language),
        link=external_url("certificates.download", code=certificate.code, language=certificate.language),
        certificates_link=external_url("certificates.mine"),
    )


def stored_pdf(certificate: Certificate, language: str) -> bytes | None:
    """Return the certificate's PDF in *language* from the file storage. When it is not there (not rendered yet,
    or its file was lost), make sure that a job is preparing it and return None."""
    found = db.session.scalar(
        select(CertificateFile).where(
            CertificateFile.certificate_id == certificate.id, CertificateFile.language == language
        )
    )
    if found is not None:
        try:
            return storage().read(found.storage_key)
        except FileNotFoundError:
            log.warning(
                "The PDF of certificate %s in %s is lost from the storage; rendered again", certificate.id, language
            )
            db.session.delete(found)
    if not being_rendered(certificate):
        enqueue(RENDER_JOB, certificate_id=certificate.id, languages=[language])
    return None


def being_rendered(certificate: Certificate) -> bool:
    """Tell whether a job that renders the certificate's PDFs is waiting or running."""
    return (
        db.session.scalar(
            select(Job.id)
            .where(
                Job.kind == RENDER_JOB,
                Job.state.in_((JobState.QUEUED, JobState.RUNNING)),
                Job.args["certificate_id"].as_integer() == certificate.id,
            )
            .limit(1)
        )
        is not None
    )


def forget_files(certificate: Certificate) -> None:
    """Delete the certificate's stored PDFs, their files once the transaction commits."""
    for found in db.session.scalars(select(CertificateFile).where(CertificateFile.certificate_id == certificate.id)):
        storage().delete_after_commit(found.storage_key)
        db.session.delete(found)


def issue_if_due(user: User, course_slug: str) -> Certificate | None:
    """Issue the certificate once the learner meets every requirement of the course; never twice."""
    if current_certificate(user, course_slug) is not None or not courses.requirements_met(user, course_slug):
        return None
    return _issue(user, course_slug, courses.completed_at(user, course_slug))


def request_reissue(certificate: Certificate, user: User) -> ReissueRequest:
    """Ask for *certificate* to be re-issued under the learner's current name. Names are typed by the learners
    themselves, so an admin or the trainer of the certificate's country approves first; until then verification
    confirms the old name. A request still pending takes the newest name."""
    if certificate.status != "valid":
        raise CertificateError(_("Only a valid certificate can be re-issued."))
    if certificate.learner_name == user.name:
        raise CertificateError(
            _("The certificate already carries the name of your profile. Correct your name in your profile first.")
        )
    request = pending_request(certificate)
    if request is None:
        request = ReissueRequest(certificate_id=certificate.id)
        db.session.add(request)
    request.requested_name, request.requested_at = user.name, utcnow()
    db.session.flush()
    log.info("Re-issue of certificate %s requested by user %s", certificate.id, user.id)
    return request


def pending_request(certificate: Certificate) -> ReissueRequest | None:
    return db.session.scalar(
        select(ReissueRequest).where(
            ReissueRequest.certificate_id == certificate.id, ReissueRequest.decided_at.is_(None)
        )
    )


def latest_requests(user: User) -> dict[int, ReissueRequest]:
    """Return the newest re-issue request of each of the learner's certificates, by certificate id."""
    requests = db.session.scalars(
        select(ReissueRequest)
        .join(ReissueRequest.certificate)
        .where(Certificate.user_id == user.id)
        .order_by(ReissueRequest.requested_at, ReissueRequest.id)
    )
    return {request.certificate_id: request for request in requests}


def reissue_request(request_id: int) -> ReissueRequest | None:
    """Return the request *request_id*, locked until the transaction ends: two managers deciding at once take turns."""
    return db.session.scalar(
        select(ReissueRequest).where(ReissueRequest.id == request_id).with_for_update(of=ReissueRequest)
    )


def may_decide(user: User, request: ReissueRequest) -> bool:
    """Admins and trainers of the certificate's country decide; nobody on their own certificate."""
    return may_manage(user, request.certificate) and request.certificate.user_id != user.id


def pending_requests(manager: User) -> list[ReissueRequest]:
    """Return the pending re-issue requests that *manager* may decide, oldest first."""
    query = (
        select(ReissueRequest)
        .join(ReissueRequest.certificate)
        .where(ReissueRequest.decided_at.is_(None), Certificate.user_id != manager.id)
        .order_by(ReissueRequest.requested_at, ReissueRequest.id)
    )
    scope = country_scope(manager)
    if scope is not None:
        query = query.where(Certificate.country.in_(scope))
    return list(db.session.scalars(query))


def decide(request: ReissueRequest, manager: User, approve: bool) -> Certificate | None:
    """Approve *request* (the new certificate is issued, the old one reads as replaced) or refuse it."""
    if request.decided_at is not None:
        raise CertificateError(_("This request has already been decided."))
    old = request.certificate
    if approve and old.status != "valid":
        raise CertificateError(_("Only a valid certificate can be re-issued."))
    request.decided_at, request.decided_by_id, request.approved = utcnow(), manager.id, approve
    log.info("Re-issue request %s %s by %s", request.id, "approved" if approve else "refused", manager.id)
    if not approve:
        return None
    old.replaced_at = request.decided_at
    db.session.flush()
    learner = db.session.get(User, old.user_id)
    return _issue(learner, old.course_slug, old.completed_at, replaces=old, name=request.requested_name)


def revoke(certificate: Certificate, reason: str, actor: User) -> None:
    """Revoke *certificate*: verification then answers that it is revoked, and since when."""
    if certificate.revoked_at is None:
        certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = (
            utcnow(),
            reason.strip(),
            actor.id,
        )
        log.info("Certificate %s revoked by %s", certificate.id, actor.id)


def by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def may_manage(user: User, certificate: Certificate) -> bool:
    """Admins manage every certificate; trainers those of their countries."""
    return user.has_role(Role.ADMIN, Role.TRAINER) and within_scope(user, certificate.country)


def may_download(user: User, certificate: Certificate) -> bool:
    return certificate.user_id == user.id or may_manage(user, certificate)


def certificates_of(user: User) -> list[Certificate]:
    """Return the learner's current certificates, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id, Certificate.replaced_at.is_(None))
            .order_by(Certificate.issued_at.desc())
        )
    )


def search(manager: User, text: str = "", course_slug: str = "", page: int = 1):
    """Return one page of the certificates *manager* may manage, matching a name or code and a course."""
    query = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    scope = country_scope(manager)
    if scope is not None:
        query = query.where(Certificate.country.in_(scope))
    if text:
        query = query.where(
            db.or_(
                db.func.lower(Certificate.learner_name).like(f"%{text.lower()}%"),
                Certificate.code == normalise_code(text),
            )
        )
    if course_slug:
        query = query.where(Certificate.course_slug == course_slug)
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def verification(code: str) -> dict:
    """Return what the public may know of the certificate *code*: its status and only what proves it."""
    certificate = by_code(code) if code else None
    if certificate is None:
        return {"status": "unknown", "code": normalise_code(code)}
    answer = {
        "status": certificate.status,
        "code": certificate.code,
        "name": certificate.learner_name,
        "course": certificate.course_title(certificate.default_language),
        "course_titles": certificate.course_titles,
        "completed_on": certificate.completed_at.date().isoformat(),
        "hours": certificate.hours,
        "issued_on": certificate.issued_at.date().isoformat(),
    }
    if certificate.revoked_at:
        answer["revoked_on"] = certificate.revoked_at.date().isoformat()
    if certificate.replaced_at:
        answer["replaced_on"] = certificate.replaced_at.date().isoformat()
        answer["replaced_by"] = db.session.scalar(
            select(Certificate.code).where(Certificate.replaces_id == certificate.id)
        )
    replaced = db.session.get(Certificate, certificate.replaces_id) if certificate.replaces_id else None
    if replaced is not None:
        answer["reissued_on"] = answer["issued_on"]
        answer["replaces_issued_on"] = replaced.issued_at.date().isoformat()
    return answer
