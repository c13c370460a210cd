"""My certificates, PDF downloads, public verification, and management by admins and trainers."""

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.access import roles_required
from lms.accounts.models import Role
from lms.certificates import credential, services
from lms.certificates.forms import RevokeForm
from lms.core.forms import ActionForm
from lms.core.templating import page_number
from lms.courses import api as courses
from lms.extensions import db, limiter
from lms.i18n import LANGUAGES

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")


def verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _certificate_or_404(code: str):
    return services.by_code(code) or abort(404)


@bp.get("/")
@login_required
def mine():
    return render_template(
        "certificates/mine.html",
        certificates=services.certificates_of(current_user),
        requests=services.latest_requests(current_user),
        form=ActionForm(),
        languages=LANGUAGES,
        reader_language=str(get_locale()),
    )


@bp.get("/<code>.pdf")
@login_required
def download(code: str):
    certificate = _certificate_or_404(code)
    if not services.may_download(current_user, certificate):
        abort(403)
    if certificate.status != "valid" and certificate.user_id == current_user.id:
        abort(404)
    language = request.args.get("language", certificate.language)
    if language not in certificate.languages:
        abort(404)
    document = services.stored_pdf(certificate, language)
    if document is None:
        db.session.commit()
        return render_template(
            "certificates/preparing.html",
            certificate=certificate,
            language=language,
            reader_language=str(get_locale()),
        ), 202
    return Response(
        document,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.course_slug}-{language}.pdf"',
        },
    )


@bp.post("/<code>/reissue")
@login_required
def reissue(code: str):
    certificate = _certificate_or_404(code)
    if certificate.user_id != current_user.id or not ActionForm().validate_on_submit():
        abort(403)
    try:
        services.request_reissue(certificate, current_user)
    except services.CertificateError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Your request has been sent. Once an administrator or the trainer of your country approves the new "
                "name, the certificate is re-issued; until then it keeps the name it has."
            ),
            "success",
        )
    return redirect(url_for("certificates.mine"))


@bp.get("/verify")
@bp.get("/verify/<code>")
@limiter.limit(verify_limit)
def verify(code: str = ""):
    code = code or request.args.get("code", "").strip()[:64]
    answer = services.verification(code) if code else None
    if request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json":
        return jsonify(answer or {"status": "unknown", "code": ""})
    return render_template("certificates/verify.html", code=code, answer=answer, reader_language=str(get_locale()))


@bp.get("/<code>/credential.json")
@limiter.limit(verify_limit)
def open_badge(code: str):
    certificate = _certificate_or_404(code)
    if certificate.status == "replaced":
        abort(404)
    response = jsonify(credential.open_badge(certificate))
    response.mimetype = "application/ld+json"
    return response


@bp.get("/issuer")
def issuer():
    return jsonify(credential.issuer_profile())


@bp.get("/manage")
@roles_required(Role.ADMIN, Role.TRAINER)
def manage():
    text, course = request.args.get("q", "").strip()[:100], request.args.get("course", "")
    page = services.search(current_user, text, course, page_number())
    return render_template(
        "certificates/manage.html",
        page=page,
        q=text,
        course=course,
        courses=courses.course_choices(str(get_locale())),
        waiting=len(services.pending_requests(current_user)),
        reader_language=str(get_locale()),
    )


@bp.get("/manage/requests")
@roles_required(Role.ADMIN, Role.TRAINER)
def requests():
    return render_template(
        "certificates/requests.html",
        requests=services.pending_requests(current_user),
        reader_language=str(get_locale()),
    )


@bp.post("/manage/requests/<int:request_id>/<any(approve, refuse):decision>")
@roles_required(Role.ADMIN, Role.TRAINER)
def decide(request_id: int, decision: str):
    found = services.reissue_request(request_id)
    if found is None or not services.may_decide(current_user, found):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.decide(found, current_user, approve=decision == "approve")
    except services.CertificateError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        if decision == "approve":
            flash(_("The certificate has been re-issued under “%(name)s”.", name=found.requested_name), "success")
        else:
            flash(_("The request has been refused; the certificate keeps its name."), "success")
    return redirect(url_for("certificates.requests"))


@bp.route("/manage/<code>/revoke", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.TRAINER)
def revoke(code: str):
    certificate = _certificate_or_404(code)
    if not services.may_manage(current_user, certificate):
        abort(403)
    form = RevokeForm()
    if form.validate_on_submit():
        services.revoke(certificate, form.reason.data, current_user)
        db.session.commit()
        flash(_("The certificate of %(name)s is revoked.", name=certificate.learner_name), "success")
        return redirect(url_for("certificates.manage"))
    return render_template(
        "certificates/revoke.html", certificate=certificate, form=form, reader_language=str(get_locale())
    )
