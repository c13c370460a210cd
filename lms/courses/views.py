"""The catalogue, course pages, the lesson player and knowledge checks."""

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import services as accounts
from lms.accounts.access import country_scope, roles_required
from lms.accounts.models import Role
from lms.core import exports
from lms.core.forms import ActionForm
from lms.courses import services
from lms.courses.forms import EnrolPeopleForm, answers_of, check_form
from lms.extensions import db
from lms.i18n import LANGUAGES, country_name

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")


def _language() -> str:
    return str(get_locale())


def _course_or_404(slug: str):
    return services.offered_course(slug) or abort(404)


def _lesson_or_404(course, lesson_slug: str):
    lesson = next((lesson for lesson in services.active_lessons(course) if lesson.slug == lesson_slug), None)
    return lesson or abort(404)


@bp.get("/")
def catalogue():
    text, language, topic = (request.args.get(key, "").strip()[:100] for key in ("q", "language", "topic"))
    courses = services.catalogue(text, language if language in LANGUAGES else "", topic)
    progress = services.progress_by_course(current_user, courses) if current_user.is_authenticated else {}
    topics = services.topic_labels(_language())
    return render_template(
        "courses/catalogue.html",
        courses=courses,
        progress=progress,
        topics=topics,
        q=text,
        language=language,
        topic=topic,
        reader_language=_language(),
        language_options=LANGUAGES.items(),
    )


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "courses/mine.html", learning=services.my_learning(current_user), reader_language=_language()
    )


@bp.get("/<slug>")
def course(slug: str):
    course = _course_or_404(slug)
    enrollment = services.enrollment_for(current_user, course) if current_user.is_authenticated else None
    lessons = services.active_lessons(course)
    return render_template(
        "courses/course.html",
        course=course,
        text=course.text(_language()),
        lessons=lessons,
        titles=services.lesson_titles(lessons, _language(), course.default_language),
        enrollment=enrollment,
        done=services.done_lesson_ids(enrollment) if enrollment else set(),
        requirements=services.requirements(enrollment) if enrollment else [],
        progress=services.progress_by_course(current_user, [course]).get(course.id) if enrollment else None,
        topics=services.topic_labels(_language()),
        form=ActionForm(),
        reader_language=_language(),
        may_enrol_others=current_user.is_authenticated and current_user.has_role(Role.ADMIN, Role.TRAINER),
    )


@bp.post("/<slug>/enrol")
@login_required
def enrol(slug: str):
    course = _course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    enrollment = services.enrol(current_user, course)
    db.session.commit()
    flash(_("You are enrolled. Welcome to the course!"), "success")
    return redirect(url_for("courses.lesson", slug=slug, lesson_slug=services.resume_lesson(enrollment).slug))


@bp.get("/<slug>/continue")
@login_required
def resume(slug: str):
    course = _course_or_404(slug)
    enrollment = services.enrollment_for(current_user, course)
    if enrollment is None:
        return redirect(url_for("courses.course", slug=slug))
    return redirect(url_for("courses.lesson", slug=slug, lesson_slug=services.resume_lesson(enrollment).slug))


def _lesson_page(course, lesson, enrollment, form=None, attempt=None, results=None, status=200):
    lessons = services.active_lessons(course)
    position = lessons.index(lesson)
    text, fallback = services.lesson_text(lesson, _language(), course.default_language)
    if lesson.quiz and form is None:
        form = check_form(lesson.quiz["questions"], _language(), course.default_language)
    page = render_template(
        "courses/lesson.html",
        course=course,
        course_text=course.text(_language()),
        lesson=lesson,
        text=text,
        fallback=fallback,
        default_language=LANGUAGES[course.default_language],
        previous=lessons[position - 1] if position else None,
        next=lessons[position + 1] if position + 1 < len(lessons) else None,
        number=position + 1,
        count=len(lessons),
        enrollment=enrollment,
        done=lesson.id in services.done_lesson_ids(enrollment),
        progress=services.progress_by_course(current_user, [course])[course.id],
        check_form=form,
        attempt=attempt,
        results=results,
        attempts=services.attempts_for(enrollment, lesson) if lesson.quiz else [],
        action_form=ActionForm(),
        reader_language=_language(),
    )
    return page, status


def _enrollment_or_redirect(course):
    enrollment = services.enrollment_for(current_user, course)
    if enrollment is None:
        flash(_("Enrol in the course to open its lessons."), "info")
    return enrollment


@bp.get("/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_slug)
    enrollment = _enrollment_or_redirect(course)
    if enrollment is None:
        return redirect(url_for("courses.course", slug=slug))
    if services.open_lesson(enrollment, lesson):
        db.session.commit()
    return _lesson_page(course, lesson, enrollment)


@bp.post("/<slug>/lessons/<lesson_slug>/done")
@login_required
def complete_lesson(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_slug)
    enrollment = services.enrollment_for(current_user, course) or abort(403)
    if lesson.quiz or not ActionForm().validate_on_submit():
        abort(400)
    services.complete_lesson(enrollment, lesson)
    db.session.commit()
    following = services.next_lesson(course, lesson)
    if enrollment.completed_at or following is None:
        flash(
            _("Congratulations: you have completed the course!") if enrollment.completed_at else _("Lesson done."),
            "success",
        )
        return redirect(url_for("courses.course", slug=slug))
    flash(_("Lesson done."), "success")
    return redirect(url_for("courses.lesson", slug=slug, lesson_slug=following.slug))


@bp.post("/<slug>/lessons/<lesson_slug>/check")
@login_required
def submit_check(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_slug)
    enrollment = services.enrollment_for(current_user, course) or abort(403)
    if not lesson.quiz:
        abort(404)
    form = check_form(lesson.quiz["questions"], _language(), course.default_language, formdata=request.form)
    if not form.validate():
        return _lesson_page(course, lesson, enrollment, form=form, status=422)
    attempt, results = services.submit_check(
        enrollment, lesson, answers_of(form, lesson.quiz["questions"]), _language()
    )
    db.session.commit()
    return _lesson_page(course, lesson, enrollment, form=form, attempt=attempt, results=results)


@bp.get("/<slug>/media/<path:name>")
def media(slug: str, name: str):
    course = _course_or_404(slug)
    response = send_from_directory(Path(current_app.config["CONTENT_DIR"]) / course.slug / "media", name, max_age=3600)
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


@bp.route("/<slug>/enrol-people", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.TRAINER)
def enrol_people(slug: str):
    course = _course_or_404(slug)
    organisations = {org.id: org for org in accounts.organisations_in_scope(current_user)}
    form = EnrolPeopleForm(organisations=organisations.values())
    if form.validate_on_submit():
        organisation = organisations.get(form.organisation.data)
        people, unknown = services.people_to_enrol(current_user, organisation, form.email_list())
        added = services.enrol_people(course, people, current_user)
        db.session.commit()
        flash(
            _("%(added)s newly enrolled, %(already)s were enrolled already.", added=added, already=len(people) - added),
            "success",
        )
        if unknown:
            flash(_("Not found among the people you may enrol: %(emails)s", emails=", ".join(unknown)), "warning")
        return redirect(url_for("courses.report", slug=slug))
    return render_template("courses/enrol_people.html", course=course, text=course.text(_language()), form=form)


@bp.get("/<slug>/report")
@roles_required(Role.ADMIN, Role.TRAINER)
def report(slug: str):
    course = _course_or_404(slug)
    rows = services.progress_report(course, country_scope(current_user))
    if request.args.get("format") == "csv":
        return _report_csv(course, rows)
    return render_template("courses/report.html", course=course, text=course.text(_language()), rows=rows)


def _report_csv(course, rows) -> Response:
    header = [_("Country"), _("Organisation"), _("Enrolled"), _("Started"), _("Completed")]
    table = [
        [country_name(row.country) if row.country else "", row.organisation or ""]
        + [row.enrolled, row.started, row.completed]
        for row in rows
    ]
    return exports.download([header, *table], f"{course.slug}-progress.csv")
