"""Administration of support: which topics and languages each expert answers."""

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.access import roles_required
from lms.accounts.models import Role, User, UserRole
from lms.core.forms import choices
from lms.extensions import db
from lms.support import services
from lms.support.forms import ExpertForm
from lms.support.models import ExpertProfile
from lms.support.views import bp


@bp.get("/experts")
@roles_required(Role.ADMIN)
def experts():
    people = db.session.scalars(select(User).join(UserRole).where(UserRole.role == str(Role.EXPERT)).order_by(User.name))
    profiles = {profile.user_id: profile for profile in db.session.scalars(select(ExpertProfile))}
    return render_template("support/experts.html", people=people, profiles=profiles,
                           topics={topic.slug: topic.label(str(get_locale())) for topic in services.topics()})


@bp.route("/experts/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_expert(user_id: int):
    expert = db.get_or_404(User, user_id)
    profile = db.session.get(ExpertProfile, user_id) or ExpertProfile(user_id=user_id, topics=[], languages=[])
    form = ExpertForm(data={"topics": profile.topics, "languages": profile.languages})
    form.topics.choices = choices((topic.slug, topic.label(str(get_locale()))) for topic in services.topics())
    if form.validate_on_submit():
        services.set_expertise(expert, profile, form.topics.data, form.languages.data)
        db.session.commit()
        flash(_("The expertise of %(name)s is saved.", name=expert.name), "success")
        return redirect(url_for("support.experts"))
    return render_template("support/edit_expert.html", expert=expert, form=form)
