"""Administration of people, organisations and invitations."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import privacy, services
from lms.accounts.access import roles_required
from lms.accounts.forms import EraseForm, InvitationForm, OrganisationForm, UserForm, organisation_choices
from lms.accounts.models import Invitation, Organisation, Role, User
from lms.accounts.views import bp
from lms.core.forms import choices
from lms.core.mail import external_url
from lms.core.templating import page_number
from lms.extensions import db
from lms.i18n import country_choices


@bp.get("/admin/users")
@roles_required(Role.ADMIN)
def users():
    text, role, country = (request.args.get(key, "").strip() for key in ("q", "role", "country"))
    page = services.search_users(text, role, country, page_number())
    return render_template(
        "accounts/admin/users.html",
        page=page,
        q=text,
        role=role,
        country=country,
        roles=[(str(r), r.label) for r in Role],
        countries=country_choices(),
    )


def _user_form(user: User | None) -> UserForm:
    organisations = db.session.scalars(services.organisations_query())
    form = UserForm(obj=user, organisations=organisations)
    if user is not None and not form.is_submitted():
        form.organisation.data = user.organisation_id or 0
        form.roles.data = [str(role) for role in user.roles]
        form.countries.data = sorted(user.trainer_countries)
    return form


def _save_user(form: UserForm, user: User | None):
    organisation = db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
    if user is None:
        user = services.create_user(
            form.email.data,
            form.name.data,
            via="admin",
            organisation=organisation,
            roles=[Role(role) for role in form.roles.data],
            language=form.language.data,
            timezone=form.timezone.data,
        )
        services.send_welcome(user, current_user)
    services.update_user(
        user,
        actor=current_user,
        name=form.name.data,
        email=form.email.data,
        organisation=organisation,
        language=form.language.data,
        timezone=form.timezone.data,
        active=form.active.data,
        roles=form.roles.data,
        countries=form.countries.data,
    )
    return user


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            saved = _save_user(form, user)
        except services.AccountError as error:
            db.session.rollback()
            form.add_error(str(error), error.field)
        else:
            db.session.commit()
            flash(_("The account of %(name)s is saved.", name=saved.name), "success")
            if user is None:
                flash(_("We have sent %(email)s a link to choose a password.", email=saved.email), "info")
            return redirect(url_for("accounts.edit_user", user_id=saved.id))
    return render_template("accounts/admin/user_form.html", form=form, user=user, erase_form=EraseForm())


@bp.post("/admin/users/<int:user_id>/erase")
@roles_required(Role.ADMIN)
def erase_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EraseForm()
    if user.id == current_user.id or not form.validate_on_submit():
        flash(_("Tick the confirmation to erase this person; you cannot erase yourself."), "error")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    privacy.erase(user, current_user)
    db.session.commit()
    privacy.flush_erased_pages()
    flash(_("The person's data has been erased."), "success")
    return redirect(url_for("accounts.users"))


@bp.get("/admin/organisations")
@roles_required(Role.ADMIN)
def organisations():
    text, country = request.args.get("q", "").strip(), request.args.get("country", "")
    page = services.search_organisations(text, country, page_number())
    return render_template(
        "accounts/admin/organisations.html", page=page, q=text, country=country, countries=country_choices()
    )


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@bp.route("/admin/organisations/<int:organisation_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_organisation(organisation_id: int | None = None):
    organisation = db.get_or_404(Organisation, organisation_id) if organisation_id else None
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            if organisation is None:
                organisation = services.create_organisation(form.name.data, form.country.data, form.kind.data)
            services.update_organisation(
                organisation,
                name=form.name.data,
                country=form.country.data,
                kind=form.kind.data,
                active=form.active.data,
            )
        except services.AccountError as error:
            db.session.rollback()
            form.add_error(str(error), error.field)
        else:
            db.session.commit()
            flash(_("The organisation %(name)s is saved.", name=organisation.name), "success")
            return redirect(url_for("accounts.organisations"))
    return render_template("accounts/admin/organisation_form.html", form=form, organisation=organisation)


@bp.route("/invitations", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.TRAINER)
def invitations():
    form = InvitationForm()
    in_scope = {org.id: org for org in services.organisations_in_scope(current_user)}
    form.organisation.choices = organisation_choices(in_scope.values())
    form.role.choices = choices((str(role), role.label) for role in services.invitable_roles(current_user))
    link = None
    if form.validate_on_submit():
        invitation, token = services.create_invitation(
            in_scope[form.organisation.data],
            role=Role(form.role.data),
            created_by=current_user,
            email=form.email.data or None,
            max_uses=form.max_uses.data,
        )
        db.session.commit()
        if invitation.email:
            flash(_("We have sent the invitation to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("accounts.invitations"))
        link = external_url("accounts.join", token=token)
    page = services.invitations_for(current_user, page_number())
    return render_template("accounts/admin/invitations.html", form=form, page=page, link=link)


@bp.post("/invitations/<int:invitation_id>/revoke")
@roles_required(Role.ADMIN, Role.TRAINER)
def revoke_invitation(invitation_id: int):
    invitation = db.get_or_404(Invitation, invitation_id)
    if not services.may_manage_invitation(current_user, invitation):
        abort(403)
    services.revoke_invitation(invitation, current_user)
    db.session.commit()
    flash(_("The invitation is withdrawn; its link no longer works."), "success")
    return redirect(url_for("accounts.invitations"))
