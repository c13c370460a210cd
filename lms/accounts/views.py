"""Signing in and out, resets, invitations to join, the profile and two-factor sign-in."""

import time
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import devices, lifetime, privacy, services
from lms.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    JoinForm,
    JoinRequestForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetRequestForm,
    SecondFactorForm,
    SignInForm,
    TwoFactorSetupForm,
    organisation_choices,
)
from lms.accounts.models import Role
from lms.core.security import safe_next
from lms.extensions import db, limiter
from lms.i18n import language_for_country

bp = Blueprint("accounts", __name__, url_prefix="/accounts", template_folder="templates")

PENDING_KEY = "accounts.pending_2fa"
PENDING_SECONDS = 300
SETUP_KEY = "accounts.totp_secret"


def sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def account_limit() -> str:
    return current_app.config["SIGN_IN_ACCOUNT_RATE_LIMIT"]


def account_tried() -> str:
    """The key of the per-account limit: the address tried, however it is written and wherever it comes from;
    from a browser where that address signed in before, that browser's own key (see `devices`)."""
    email = request.form.get("email", "")
    mark = devices.mark_for(email)
    return f"device:{mark}" if mark else "account:" + services.normalise_email(email)


def account_pending() -> str:
    """The key of the per-account limit on second-factor codes: the account whose password was right."""
    pending = session.get(PENDING_KEY) or {}
    mark = devices.mark_for(pending.get("email", ""))
    return f"device-code:{mark}" if mark else "account-code:" + str(pending.get("id", ""))


def refused(response) -> bool:
    """Tell whether a sign-in step was refused (the form shown again), which the per-account limit counts."""
    return response.status_code == 200


def _finish_sign_in(user):
    services.record_sign_in(user)
    db.session.commit()
    session.pop(PENDING_KEY, None)
    login_user(user)
    lifetime.start()
    session.pop("lang", None)
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    response = redirect(safe_next(url_for("core.index")))
    devices.remember(response, user.email)
    return response


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@limiter.limit(account_limit, key_func=account_tried, methods=["POST"], deduct_when=refused)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("core.index")))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()
            form.password.errors.append(_("The e-mail address or the password is not right."))
        elif user.two_factor_enabled:
            session[PENDING_KEY] = {"id": user.get_id(), "email": user.email, "at": time.time()}
            db.session.commit()
            return redirect(url_for("accounts.second_factor", next=safe_next("") or None))
        else:
            return _finish_sign_in(user)
    return render_template("accounts/login.html", form=form, self_registration=current_app.config["SELF_REGISTRATION"])


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@limiter.limit(account_limit, key_func=account_pending, methods=["POST"], deduct_when=refused)
def second_factor():
    pending = session.get(PENDING_KEY) or {}
    user = services.user_for_session(pending.get("id", ""))
    if user is None or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("accounts.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if services.verify_second_factor(user, form.code.data):
            return _finish_sign_in(user)
        db.session.commit()
        form.code.errors.append(_("This code is not right, or it has been used already."))
    return render_template("accounts/second_factor.html", form=form)


@bp.post("/sign-out")
@login_required
def logout():
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account uses this address, we have sent it a link to choose a new password. "
                "Please check your e-mail."
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = services.valid_reset(token)
    if reset is None:
        return render_template("accounts/link_invalid.html"), 410
    form = NewPasswordForm(person=reset.user)
    if form.validate_on_submit():
        services.complete_reset(reset, form.password.data)
        db.session.commit()
        flash(_("Your new password is saved. Please sign in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, user=reset.user)


@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def join(token: str):
    invitation = services.usable_invitation(token)
    if invitation is None:
        return render_template("accounts/link_invalid.html"), 410
    if not invitation.email:
        return _join_by_shared_link(invitation)
    form = JoinForm(email=invitation.email, language=language_for_country(invitation.organisation.country))
    form.email.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                invitation,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                language=form.language.data,
            )
        except services.AccountError as error:
            form.add_error(str(error), error.field)
        else:
            return _welcome(user)
    return render_template("accounts/join.html", form=form, invitation=invitation, button=_("Create my account"))


def _join_by_shared_link(invitation):
    """Anyone may open a shared link: the address is proved by a mailed link, and the page never tells whether an
    account uses it already (that address is mailed a reminder instead)."""
    form = JoinRequestForm(language=language_for_country(invitation.organisation.country))
    if form.validate_on_submit():
        return _join_requested(form, invitation.organisation, invitation)
    return render_template("accounts/join.html", form=form, invitation=invitation, button=_("Continue"))


def _join_requested(form, organisation, invitation=None):
    services.request_join(
        organisation, name=form.name.data, email=form.email.data, language=form.language.data, invitation=invitation
    )
    db.session.commit()
    return render_template("accounts/join_sent.html", email=services.normalise_email(form.email.data))


@bp.route("/join/confirm/<confirmation>", methods=["GET", "POST"])
def join_confirm(confirmation: str):
    request_ = services.join_request(confirmation)
    if request_ is None:
        return render_template("accounts/link_invalid.html"), 410
    form = NewPasswordForm(person=SimpleNamespace(name=request_.name, email=request_.email))
    if form.validate_on_submit():
        try:
            user = services.join(request_, form.password.data)
        except services.AccountError as error:
            form.add_error(str(error), error.field)
        else:
            return _welcome(user)
    return render_template("accounts/join_confirm.html", form=form, request_=request_)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def register():
    """Anyone may ask for an account when self-registration is on; like a shared link, the address is proved by a
    mailed link and the page never tells whether an account uses it already."""
    if not current_app.config["SELF_REGISTRATION"]:
        abort(404)
    form = RegisterForm()
    organisations = {org.id: org for org in db.session.scalars(services.organisations_query(active_only=True))}
    form.organisation.choices = organisation_choices(organisations.values())
    if form.validate_on_submit():
        return _join_requested(form, organisations[form.organisation.data])
    return render_template("accounts/register.html", form=form)


def _welcome(user):
    db.session.commit()
    login_user(user)
    lifetime.start()
    session.pop("lang", None)
    flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    return redirect(url_for("core.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user, name=form.name.data, language=form.language.data, timezone=form.timezone.data
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=ChangePasswordForm())


def _renew_session():
    """Keep this browser signed in after the person's other sessions were ended."""
    login_user(current_user._get_current_object())


@bp.post("/profile/password")
@login_required
def change_password():
    form = ChangePasswordForm(person=current_user)
    if form.validate_on_submit():
        if services.check_password(current_user, form.current.data):
            services.set_password(current_user, form.password.data)
            db.session.commit()
            _renew_session()
            flash(_("Your password is changed. You have been signed out everywhere else."), "success")
            return redirect(url_for("accounts.profile"))
        form.current.errors.append(_("This is not your current password."))
    return render_template("accounts/profile.html", form=ProfileForm(obj=current_user), password_form=form), 422


@bp.get("/profile/data.json")
@login_required
def my_data():
    response = jsonify(privacy.personal_data(current_user))
    response.headers["Content-Disposition"] = 'attachment; filename="my-clarinet-data.json"'
    return response


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    services.end_sessions(current_user)
    db.session.commit()
    _renew_session()
    flash(_("You have been signed out on every other device."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    if current_user.two_factor_enabled:
        return render_template("accounts/two_factor.html", form=ConfirmPasswordForm())
    secret = session.get(SETUP_KEY) or services.new_totp_secret()
    session[SETUP_KEY] = secret
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        try:
            codes = services.enable_two_factor(current_user, secret, form.code.data)
        except services.AccountError as error:
            form.add_error(str(error), error.field)
        else:
            db.session.commit()
            session.pop(SETUP_KEY)
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("accounts/recovery_codes.html", codes=codes)
    qr_code = services.totp_qr_code(current_user, secret)
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret, qr_code=qr_code)


@bp.post("/two-factor/off")
@login_required
def two_factor_disable():
    form = ConfirmPasswordForm()
    if current_user.has_role(Role.ADMIN):
        flash(_("Administrators must keep two-factor sign-in on."), "error")
    elif form.validate_on_submit() and services.check_password(current_user, form.password.data):
        services.disable_two_factor(current_user)
        db.session.commit()
        flash(_("Two-factor sign-in is off."), "success")
    else:
        flash(_("This is not your current password."), "error")
    return redirect(url_for("accounts.two_factor_setup"))


@bp.post("/two-factor/recovery-codes")
@login_required
def recovery_codes():
    form = ConfirmPasswordForm()
    if not current_user.two_factor_enabled:
        abort(404)
    if not (form.validate_on_submit() and services.check_password(current_user, form.password.data)):
        flash(_("This is not your current password."), "error")
        return redirect(url_for("accounts.two_factor_setup"))
    codes = services.new_recovery_codes(current_user)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes)
