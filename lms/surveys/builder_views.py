"""Building surveys: settings, sections, questions, order, translations, publishing, sharing, imports."""

import re
from datetime import datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import country_scope, roles_required
from lms.accounts.models import Role
from lms.core.disclosure import minimum_group
from lms.core.forms import ActionForm, choices
from lms.core.mail import external_url
from lms.core.qr import qr_svg
from lms.courses import api as courses
from lms.extensions import db
from lms.i18n import LANGUAGES
from lms.surveys import imports, reminders, services
from lms.surveys.forms import (
    KIND_LABELS,
    AddQuestionForm,
    CodesForm,
    ImportForm,
    NewSurveyForm,
    QuestionForm,
    SectionForm,
    SettingsForm,
    UploadForm,
)
from lms.surveys.models import Kind, Question, Section, Survey
from lms.surveys.views import _managed_or_404, bp

manage = roles_required(Role.ADMIN, Role.TRAINER)


def _edit_url(survey, anchor: str = "") -> str:
    return url_for("surveys.edit", survey_id=survey.id) + (f"#{anchor}" if anchor else "")


def _day(value) -> datetime | None:
    return datetime.combine(value, time.min) if value else None


@bp.post("/new")
@manage
def new():
    form = NewSurveyForm()
    if not form.validate_on_submit():
        flash(_("Give the survey a title."), "error")
        return redirect(url_for("surveys.index"))
    survey = services.create_survey(current_user, form.title.data, base_language=str(get_locale()))
    db.session.commit()
    return redirect(_edit_url(survey))


@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
@manage
def edit(survey_id: int):
    survey = _managed_or_404(survey_id)
    base = survey.texts.get(survey.base_language, {})
    form = SettingsForm(
        data=None
        if request.method == "POST"
        else {
            "title": base.get("title"),
            "description": base.get("description"),
            "thank_you": base.get("thank_you"),
            "anonymous": survey.anonymous,
            "opens_at": survey.opens_at,
            "closes_at": survey.closes_at,
            "response_limit": survey.response_limit,
            "course": survey.course_slug or "",
            "required_for_certificate": survey.required_for_certificate,
            "languages": survey.languages,
            "access_codes": survey.access_codes,
            "reminder_days": survey.reminder_days,
        },
    )
    form.course.choices = choices([("", _("No course"))] + courses.course_choices(str(get_locale())))
    if form.validate_on_submit():
        try:
            services.update_settings(
                survey,
                title=form.title.data,
                description=form.description.data,
                thank_you=form.thank_you.data,
                anonymous=form.anonymous.data,
                opens_at=_day(form.opens_at.data),
                closes_at=_day(form.closes_at.data),
                response_limit=form.response_limit.data,
                course_slug=form.course.data or None,
                required_for_certificate=form.required_for_certificate.data,
                languages=form.languages.data,
                access_codes=form.access_codes.data,
                reminder_days=form.reminder_days.data,
            )
        except services.SurveyError as error:
            form.add_error(str(error))
        else:
            db.session.commit()
            flash(_("The survey's settings are saved."), "success")
            return redirect(_edit_url(survey))
    return render_template(
        "surveys/edit.html",
        survey=survey,
        form=form,
        action_form=ActionForm(),
        add_form=AddQuestionForm(),
        kind_labels=KIND_LABELS,
        missing=services.missing_translations(survey),
        languages=LANGUAGES,
        state=services.state(survey),
        has_responses=services.has_responses(survey),
        shown=services.shown_to(current_user, survey).total,
        reminders=reminders.counts(survey),
        minimum=minimum_group(),
    )


@bp.post("/<int:survey_id>/sections")
@manage
def add_section(survey_id: int):
    survey = _managed_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    section = services.add_section(survey)
    db.session.commit()
    return redirect(url_for("surveys.edit_section", survey_id=survey.id, section_id=section.id))


@bp.route("/<int:survey_id>/sections/<int:section_id>", methods=["GET", "POST"])
@manage
def edit_section(survey_id: int, section_id: int):
    survey = _managed_or_404(survey_id)
    section = db.get_or_404(Section, section_id)
    if section.survey_id != survey.id:
        abort(404)
    form = SectionForm(data=None if request.method == "POST" else section.texts.get(survey.base_language, {}))
    if form.validate_on_submit():
        services.update_section(section, title=form.title.data, description=form.description.data)
        db.session.commit()
        return redirect(_edit_url(survey, f"section-{section.id}"))
    return render_template("surveys/edit_section.html", survey=survey, section=section, form=form)


@bp.post("/<int:survey_id>/sections/<int:section_id>/questions")
@manage
def add_question(survey_id: int, section_id: int):
    survey = _managed_or_404(survey_id)
    section = db.get_or_404(Section, section_id)
    form = AddQuestionForm()
    if section.survey_id != survey.id or not form.validate_on_submit():
        abort(400)
    question = services.add_question(section, Kind(form.kind.data))
    db.session.commit()
    return redirect(url_for("surveys.edit_question", survey_id=survey.id, question_id=question.id))


@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@manage
def edit_question(survey_id: int, question_id: int):
    survey = _managed_or_404(survey_id)
    question = db.get_or_404(Question, question_id)
    if question.survey_id != survey.id:
        abort(404)
    base = question.texts.get(survey.base_language, {})
    form = QuestionForm(
        question=question,
        data=None
        if request.method == "POST"
        else {
            "text": base.get("text"),
            "help": base.get("help"),
            "required": question.required,
            "code": question.code,
            "allow_other": question.allow_other,
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "low": base.get("low"),
            "high": base.get("high"),
        },
    )
    if form.validate_on_submit():
        try:
            services.update_question(
                question,
                text=form.text.data,
                help=form.help.data,
                required=form.required.data,
                code=form.code.data,
                options=form.changes("options"),
                rows=form.changes("rows"),
                allow_other=form.allow_other.data,
                scale_min=form.scale_min.data,
                scale_max=form.scale_max.data,
                low=form.low.data,
                high=form.high.data,
            )
        except services.SurveyError as error:
            db.session.rollback()  # nothing of a refused change stays, not even in this page
            form.add_error(str(error))
        else:
            db.session.commit()
            flash(_("The question is saved."), "success")
            return redirect(_edit_url(survey, f"question-{question.id}"))
    return render_template(
        "surveys/edit_question.html",
        survey=survey,
        question=question,
        form=form,
        kind_label=KIND_LABELS[question.kind_],
    )


@bp.post("/<int:survey_id>/<any(sections, questions):kind>/<int:item_id>/<any(up, down, delete):action>")
@manage
def rearrange(survey_id: int, kind: str, item_id: int, action: str):
    survey = _managed_or_404(survey_id)
    item = db.get_or_404(Section if kind == "sections" else Question, item_id)
    if item.survey_id != survey.id or not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete(item) if action == "delete" else services.move(item, -1 if action == "up" else 1)
    except services.SurveyError as error:
        flash(str(error), "error")
        return redirect(_edit_url(survey))
    db.session.commit()
    return redirect(_edit_url(survey, "" if action == "delete" else f"{kind[:-1]}-{item.id}"))


@bp.route("/<int:survey_id>/translate/<language>", methods=["GET", "POST"])
@manage
def translate(survey_id: int, language: str):
    survey = _managed_or_404(survey_id)
    if language not in survey.languages or language == survey.base_language:
        abort(404)
    items = [
        (services.text_id(owner, key, code), owner, key, code, services.text_of(owner, key, code, survey.base_language))
        for owner, key, code in services.translatable_texts(survey)
        if services.text_of(owner, key, code, survey.base_language)
    ]
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        given = {name: request.form[name][:5000] for name, *_rest in items if name in request.form}
        services.save_translation(survey, language, given)
        db.session.commit()
        missing = services.missing_translations(survey)[language]
        flash(
            _("The translation is saved.")
            if not missing
            else ngettext(
                "The translation is saved; %(num)d text is still missing.",
                "The translation is saved; %(num)d texts are still missing.",
                missing,
            ),
            "success",
        )
        return redirect(url_for("surveys.translate", survey_id=survey.id, language=language))
    rows = [(name, base, services.text_of(owner, key, code, language)) for name, owner, key, code, base in items]
    return render_template(
        "surveys/translate.html",
        survey=survey,
        language=language,
        rows=rows,
        languages=LANGUAGES,
        form=ActionForm(),
        missing=services.missing_translations(survey),
    )


@bp.post("/<int:survey_id>/<any(publish, close, duplicate):action>")
@manage
def lifecycle(survey_id: int, action: str):
    survey = _managed_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action == "duplicate":
        copy = services.duplicate(survey, current_user)
        db.session.commit()
        flash(_("This is the copy, as a draft."), "success")
        return redirect(_edit_url(copy))
    try:
        services.publish(survey, current_user) if action == "publish" else services.close(survey)
    except services.SurveyError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("The survey is published and accepts answers.") if action == "publish" else _("The survey is closed."),
            "success",
        )
    return redirect(_edit_url(survey))


@bp.get("/<int:survey_id>/share")
@manage
def share(survey_id: int):
    return _share_page(_managed_or_404(survey_id), CodesForm())


def _share_page(survey: Survey, codes_form: CodesForm):
    link = external_url("surveys.answer", token=survey.token)
    return render_template(
        "surveys/share.html",
        survey=survey,
        link=link,
        qr_code=qr_svg(link),
        language=survey.base_language,
        codes_form=codes_form,
        issued=services.codes_issued(survey),
    )


@bp.post("/<int:survey_id>/codes")
@manage
def issue_codes(survey_id: int):
    """Issue single-use access codes and show them, once: only their hashes are kept."""
    survey = _managed_or_404(survey_id)
    form = CodesForm()
    if not form.validate_on_submit():
        return _share_page(survey, form), 422
    codes = services.issue_codes(survey, form.count.data)
    db.session.commit()
    link = external_url("surveys.answer", token=survey.token)
    return render_template("surveys/codes.html", survey=survey, codes=codes, link=link, language=survey.base_language)


@bp.route("/<int:survey_id>/import", methods=["GET", "POST"])
@manage
def import_responses(survey_id: int):
    survey = _managed_or_404(survey_id)
    upload_form, form = UploadForm(), ImportForm(countries=country_scope(current_user))
    targets = imports.targets(survey, survey.base_language)
    if "key" not in request.form and upload_form.validate_on_submit():
        try:
            upload = imports.upload(survey, upload_form.file.data.read())
        except imports.UploadError as error:
            upload_form.file.errors.append(str(error))
            return render_template("surveys/import.html", survey=survey, form=upload_form), 422
        else:
            form.key.data = upload.key
            return render_template(
                "surveys/import_map.html", survey=survey, upload=upload, form=form, targets=targets, problems=[]
            )
    if "key" in request.form and request.form.get("action") == "cancel":
        if ActionForm().validate_on_submit():
            imports.abandon(request.form["key"])
            flash(_("The uploaded file is deleted; nothing was imported."), "success")
        return redirect(url_for("surveys.edit", survey_id=survey.id))
    if "key" in request.form:
        mapping = {int(name[1:]): value for name, value in request.form.items() if re.fullmatch(r"c\d{1,4}", name)}
        try:
            if form.validate_on_submit():
                done = imports.import_rows(
                    survey, form.key.data, mapping, form.country.data or None, country_scope(current_user)
                )
                db.session.commit()
                flash(ngettext("%(num)d response imported.", "%(num)d responses imported.", done.added), "success")
                if done.repeated:
                    flash(
                        ngettext(
                            "%(num)d row was imported before and is skipped.",
                            "%(num)d rows were imported before and are skipped.",
                            done.repeated,
                        ),
                        "warning",
                    )
                if done.empty:
                    flash(
                        ngettext(
                            "%(num)d row without any answer is skipped.",
                            "%(num)d rows without any answer are skipped.",
                            done.empty,
                        ),
                        "warning",
                    )
                return redirect(url_for("surveys.results", survey_id=survey.id))
            header, rows = imports.load_upload(form.key.data or "")
            problems = []
        except imports.UploadError as error:
            upload_form.add_error(str(error), "file")
            status = 410 if isinstance(error, imports.UploadExpired) else 422
            return render_template("surveys/import.html", survey=survey, form=upload_form), status
        except imports.ImportRowsError as error:
            header, rows, problems = error.header, error.rows, error.problems
        upload = imports.Upload(form.key.data, header, rows, imports.suggestions_kept(header, mapping))
        return render_template(
            "surveys/import_map.html",
            survey=survey,
            upload=upload,
            form=form,
            targets=targets,
            problems=problems,
        ), 422
    return render_template("surveys/import.html", survey=survey, form=upload_form)
