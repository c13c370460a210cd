"""Administration of support: the topics, and which topics and languages each expert answers."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.access import roles_required
from lms.accounts.models import Role, User, UserRole
from lms.core.forms import choices
from lms.extensions import db
from lms.support import services
from lms.support.forms import ExpertForm, TopicForm
from lms.support.models import ExpertProfile, Topic
from lms.support.views import bp


@bp.get("/experts")
@roles_required(Role.ADMIN)
def experts():
    people = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == str(Role.EXPERT)).order_by(User.name)
    )
    profiles = {profile.user_id: profile for profile in db.session.scalars(select(ExpertProfile))}
    return render_template(
        "support/experts.html",
        people=people,
        profiles=profiles,
        topics={topic.slug: topic.label(str(get_locale())) for topic in services.topics()},
    )


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


@bp.get("/topics")
@roles_required(Role.ADMIN)
def topics():
    return render_template("support/topics.html", topics=services.all_topics(), reader_language=str(get_locale()))


@bp.route("/topics/new", methods=["GET", "POST"])
@bp.route("/topics/<slug>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_topic(slug: str | None = None):
    topic = db.get_or_404(Topic, slug) if slug else None
    shown = (
        {"slug": topic.slug, "active": topic.active, **{f"label_{code}": text for code, text in topic.labels.items()}}
        if topic
        else None
    )
    form = TopicForm(data=shown if request.method == "GET" else None)
    if topic:
        form.slug.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            services.save_topic(
                topic, slug=topic.slug if topic else form.slug.data, labels=form.labels(), active=form.active.data
            )
        except services.SupportError as error:
            form.add_error(str(error), "slug")
        else:
            db.session.commit()
            flash(_("The topic is saved."), "success")
            return redirect(url_for("support.topics"))
    return render_template("support/edit_topic.html", topic=topic, form=form)
