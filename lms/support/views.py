"""Expert support: asking, the thread, the experts' queue, attachments, the public FAQ."""

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.core import redaction
from lms.core.forms import BaseForm, choices
from lms.core.storage import storage
from lms.extensions import db
from lms.i18n import LANGUAGES
from lms.support import services
from lms.support.files import FileRefused
from lms.support.forms import AskForm, CloseForm, FaqEditForm, FaqForm, HandOverForm, NoteForm, ReplyForm
from lms.support.models import FaqEntry, Status, Ticket, Topic

bp = Blueprint("support", __name__, url_prefix="/support", template_folder="templates", static_folder="static")


def _language() -> str:
    return str(get_locale())


def _files(field) -> list[tuple[str, bytes]]:
    return [(upload.filename, upload.read()) for upload in field.data or [] if upload and upload.filename]


def _ticket_or_404(ticket_id: int) -> Ticket:
    ticket = db.get_or_404(Ticket, ticket_id)
    if not services.may_see(current_user, ticket):
        abort(404)
    return ticket


@bp.get("/")
@login_required
def index():
    return render_template(
        "support/index.html",
        questions=services.questions_of(current_user),
        queue=services.queue(current_user),
        clock=services.clock,
        reader_language=_language(),
    )


@bp.route("/ask", methods=["GET", "POST"])
@login_required
def ask():
    form = AskForm(
        topics=services.topics(), reader_language=_language(), limit=current_app.config["SUPPORT_MAX_ATTACHMENT_MB"]
    )
    if request.method == "GET":
        form.language.data = _language()
        form.course.data, form.lesson.data = request.args.get("course", "")[:80], request.args.get("lesson", "")[:80]
    if form.validate_on_submit():
        try:
            ticket = services.ask(
                current_user,
                subject=form.subject.data,
                body=form.body.data,
                topic=db.session.get(Topic, form.topic.data),
                language=form.language.data,
                course_slug=form.course.data or None,
                lesson_slug=form.lesson.data or None,
                files=_files(form.files),
            )
        except FileRefused as error:
            form.files.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _("Your question has been sent. The experts will answer here, and we will let you know by e-mail."),
                "success",
            )
            return redirect(url_for("support.ticket", ticket_id=ticket.id))
    return render_template(
        "support/ask.html", form=form, suggestions=services.suggestions(_language(), form.subject.data or "")
    )


@bp.get("/faq/suggestions")
def suggestions():
    text, language = request.args.get("q", "")[:200], request.args.get("language", _language())
    entries = services.suggestions(language if language in LANGUAGES else _language(), text)
    return jsonify(
        [{"question": entry.question, "url": url_for("support.faq_entry", entry_id=entry.id)} for entry in entries]
    )


@bp.route("/<int:ticket_id>", methods=["GET", "POST"])
@login_required
def ticket(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    expert = services.is_expert_for(current_user, ticket)
    reply_form, note_form, close_form = ReplyForm(pending_days=services.pending_days()), NoteForm(), CloseForm()
    if not expert:
        del reply_form.pending_until  # only the expert who answers chooses how long the learner is waited for
    if request.method == "POST" and reply_form.validate_on_submit():
        try:
            services.reply(
                ticket,
                current_user,
                reply_form.body.data,
                _files(reply_form.files),
                pending_until=reply_form.pending_until.data if expert else None,
            )
        except FileRefused as error:
            reply_form.add_error(str(error), "files")
        except services.DayRefused as error:
            reply_form.add_error(str(error), "pending_until")
        except services.SupportError as error:
            reply_form.add_error(str(error))
        else:
            db.session.commit()
            flash(_("Your message has been sent."), "success")
            return redirect(url_for("support.ticket", ticket_id=ticket.id))
    elif request.method == "GET" and services.mark_seen(ticket, current_user):
        db.session.commit()
    hand_over = HandOverForm()
    hand_over.colleague.choices = (
        choices((user.id, user.name) for user in services.colleagues_for(ticket, current_user)) if expert else []
    )
    messages = [message for message in ticket.messages if expert or not message.internal]
    return render_template(
        "support/ticket.html",
        ticket=ticket,
        messages=messages,
        expert=expert,
        reply_form=reply_form,
        note_form=note_form,
        close_form=close_form,
        hand_over=hand_over,
        clock=services.clock(ticket),
        reader_language=_language(),
        action_form=BaseForm(),
        Status=Status,
        faq_entry=(entry := services.faq_entry_of(ticket) if expert else None),
        faq_editable=entry is not None and services.may_edit_faq(current_user, entry),
    ), 200 if request.method == "GET" else 422


@bp.post("/<int:ticket_id>/<any(take, note, handover, close, reopen):action>")
@login_required
def act(ticket_id: int, action: str):
    ticket = _ticket_or_404(ticket_id)
    expert = services.is_expert_for(current_user, ticket)
    requester = ticket.requester_id == current_user.id
    if (
        action in ("take", "note", "handover")
        and not expert
        or action in ("close", "reopen")
        and not (expert or requester)
    ):
        abort(403)
    try:
        if action == "take" and BaseForm().validate_on_submit():
            services.take(ticket, current_user)
        elif action == "note" and (form := NoteForm()).validate_on_submit():
            services.reply(ticket, current_user, form.note.data, internal=True)
        elif action == "handover":
            form = HandOverForm()
            form.colleague.choices = choices(
                (user.id, user.name) for user in services.colleagues_for(ticket, current_user)
            )
            if not form.validate_on_submit():
                abort(400)
            services.hand_over(ticket, current_user, db.session.get(User, form.colleague.data))
        elif action == "close":
            form = CloseForm()
            if requester and not form.validate_on_submit():
                flash(_("Please tell us whether the answer helped."), "error")
                return redirect(url_for("support.ticket", ticket_id=ticket.id))
            services.close(ticket, current_user, form.helpful.data == "yes" if requester else None)
        elif action == "reopen" and BaseForm().validate_on_submit():
            services.reopen(ticket, current_user)
        else:
            abort(400)
    except services.SupportError as error:
        flash(str(error), "error")
        return redirect(url_for("support.ticket", ticket_id=ticket.id))
    db.session.commit()
    return redirect(url_for("support.ticket", ticket_id=ticket.id))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    found = services.attachment_for(current_user, attachment_id) or abort(404)
    response = Response(storage().read(found.storage_key), mimetype=found.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _refused(form: FaqForm, error: services.NotAnonymous) -> None:
    """Show beside each field what still identifies someone, and offer to confirm ordinary words."""
    for field, messages in error.problems.items():
        form[field].errors.extend(messages)
    if error.ordinary_words:
        form.offer_ordinary_words(error.ordinary_words)


@bp.route("/<int:ticket_id>/faq", methods=["GET", "POST"])
@login_required
def publish(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    if not services.is_expert_for(current_user, ticket):
        abort(403)
    existing = services.faq_entry_of(ticket)
    if existing is not None and request.method == "GET":
        flash(_("This question is already in the FAQ."), "info")
        if existing.withdrawn_at and services.may_edit_faq(current_user, existing):
            return redirect(url_for("support.edit_faq", entry_id=existing.id))
        return redirect(url_for("support.faq_entry", entry_id=existing.id))
    draft = services.faq_draft(ticket, current_user) if request.method == "GET" else None
    form = FaqForm(data={"question": draft.question, "answer": draft.answer} if draft else None)
    status = 200
    if form.validate_on_submit():
        try:
            entry = services.publish_faq(
                ticket, current_user, form.question.data, form.answer.data, ordinary_words=form.ordinary_words.data
            )
        except services.AlreadyPublished as error:
            form.add_error(str(error))
            existing, status = error.entry, 409
        except services.NotAnonymous as error:
            _refused(form, error)
            status = 422
        except services.SupportError as error:
            form.add_error(str(error))
            status = 422
        else:
            db.session.commit()
            flash(_("The question is published in the FAQ."), "success")
            return redirect(url_for("support.faq_entry", entry_id=entry.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "support/publish.html",
        ticket=ticket,
        form=form,
        removed=redaction.describe(draft.removed) if draft else "",
        existing=existing,
    ), status


@bp.get("/faq")
def faq():
    text, topic = request.args.get("q", "").strip()[:100], request.args.get("topic", "")
    return render_template(
        "support/faq.html",
        entries=services.faq(_language(), text, topic),
        q=text,
        topic=topic,
        topics=services.topics(),
        reader_language=_language(),
    )


@bp.get("/faq/<int:entry_id>")
def faq_entry(entry_id: int):
    entry = db.get_or_404(FaqEntry, entry_id)
    editor = services.may_edit_faq(current_user, entry)
    if entry.withdrawn_at is not None:
        return render_template("support/faq_withdrawn.html", entry=entry, editor=editor), 410
    return render_template("support/faq_entry.html", entry=entry, editor=editor, reader_language=_language())


def _editable_or_403(entry_id: int) -> FaqEntry:
    entry = db.get_or_404(FaqEntry, entry_id)
    if not services.may_edit_faq(current_user, entry):
        abort(403)
    return entry


@bp.route("/faq/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_faq(entry_id: int):
    entry = _editable_or_403(entry_id)
    topics = services.topics()
    if entry.topic not in topics:
        topics.append(entry.topic)  # an entry may keep a topic that learners can no longer choose
    form = FaqEditForm(
        data={"question": entry.question, "answer": entry.answer, "topic": entry.topic_slug}
        if request.method == "GET"
        else None,
        topics=topics,
        reader_language=_language(),
    )
    if form.validate_on_submit():
        try:
            services.edit_faq(
                entry,
                current_user,
                question=form.question.data,
                answer=form.answer.data,
                topic=db.session.get(Topic, form.topic.data),
                ordinary_words=form.ordinary_words.data,
            )
        except services.NotAnonymous as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("The FAQ entry is saved."), "success")
            return redirect(
                url_for("support.faq_entry" if entry.withdrawn_at is None else "support.edit_faq", entry_id=entry.id)
            )
    return render_template(
        "support/faq_edit.html", entry=entry, form=form, action_form=BaseForm()
    ), 200 if request.method == "GET" else 422


@bp.post("/faq/<int:entry_id>/<any(withdraw, restore):action>")
@login_required
def faq_state(entry_id: int, action: str):
    entry = _editable_or_403(entry_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    if action == "withdraw":
        services.withdraw_faq(entry, current_user)
        message = _("The entry is withdrawn: it is no longer in the FAQ or in the suggestions.")
    else:
        services.restore_faq(entry, current_user)
        message = _("The entry is published in the FAQ again.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("support.edit_faq", entry_id=entry.id))
