"""Answers keep their meaning: every option, row and question keeps its code, whatever the builder changes."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db
from lms.surveys import results, services
from lms.surveys.models import Answer, Kind, Question, Response, Survey
from lms.surveys.release import View, release
from lms.surveys.services import ChoiceChanges, Value

ATTENDANCE = ["In person", "Online", "Hybrid"]
GREEK = {"In person": "Δια ζώσης", "Online": "Διαδικτυακά", "Hybrid": "Υβριδικά"}


def build(trainer_id: int, kind: Kind, labels: list[str], *, rows: list[str] = ()) -> Question:
    """An identified, published survey of one question of *kind*; returns the question (inside an app context)."""
    survey = services.create_survey(db.session.get(User, trainer_id), "Attendance", anonymous=False)
    survey.languages, survey.texts["en"]["thank_you"] = ["en"], "Thanks"
    question = services.add_question(survey.sections[0], kind)
    services.update_question(question, **edit(question, added=labels, added_rows=list(rows)))
    survey.published = True
    db.session.flush()
    return question


def edit(question: Question, *, current=None, added=(), restored=(), rows=None, added_rows=(), **changes) -> dict:
    """The arguments of `update_question` that keep everything of *question* but what is given."""
    base = question.survey.base_language
    keep_options = [(code, question.label("options", code, base), False) for code in question.options]
    keep_rows = [(code, question.label("rows", code, base), False) for code in question.rows]
    return {
        "text": "How did you take part?",
        "help": "",
        "required": False,
        "code": question.code,
        "options": ChoiceChanges(current if current is not None else keep_options, list(added), list(restored)),
        "rows": ChoiceChanges(rows if rows is not None else keep_rows, list(added_rows), []),
        "allow_other": False,
        "scale_min": None,
        "scale_max": None,
        "low": "",
        "high": "",
        **changes,
    }


def answer(question: Question, *codes: str, row: str | None = None, language: str = "en") -> None:
    values = [Value(question, option=code, row=row) for code in codes]
    services.submit(question.survey, values, language=language, user=None, country="SI")


def counts(question: Question, language: str = "en") -> dict[str, int]:
    """What the results page shows for the question: count per label."""
    survey = question.survey
    _total, summaries = results.summary(survey, release(survey, View()), language)
    item = next((item for item in summaries if item.question.id == question.id), None)
    return {bar.label: bar.count for bar in item.bars} if item else {}


def code_of(question: Question, label: str) -> str:
    return next(code for code in question.all_options if question.label("options", code, "en") == label)


def test_reordering_rewording_and_removing_options_keep_the_answers_with_their_option(app, trainer):
    with app.app_context():
        question = build(trainer, Kind.SINGLE, ATTENDANCE)
        in_person, online, hybrid = question.options
        for code in [in_person] * 4 + [online] * 2 + [hybrid]:
            answer(question, code)
        services.save_translation(
            question.survey,
            "el",
            {
                services.text_id(question, "options", code): GREEK[label]
                for code, label in zip(question.options, ATTENDANCE, strict=True)
            },
        )

        # Hybrid first, "Online" reworded, "In person" removed.
        services.update_question(
            question,
            **edit(
                question, current=[(hybrid, "Hybrid", False), (in_person, "In person", True), (online, "Remote", False)]
            ),
        )

        assert question.options == [hybrid, online] and question.retired_options == [in_person]
        assert counts(question) == {"Hybrid": 1, "Remote": 2, "In person (no longer offered)": 4}
        assert question.label("options", hybrid, "el") == "Υβριδικά"  # translations follow the option
        assert online not in question.texts["el"]["options"]  # reworded: its old translation is not kept


def test_a_new_option_never_takes_the_code_of_a_removed_one(app, trainer):
    with app.app_context():
        question = build(trainer, Kind.MULTIPLE, ATTENDANCE)
        in_person, online, hybrid = question.options
        answer(question, in_person, hybrid)
        services.update_question(
            question,
            **edit(
                question,
                current=[(in_person, "In person", True), (online, "Online", True), (hybrid, "Hybrid", False)],
                added=["By telephone", "By letter"],
            ),
        )

        assert online not in question.texts["en"]["options"]  # never answered: forgotten
        assert in_person in question.retired_options
        assert not {in_person, online} & set(question.options)
        assert counts(question) == {"Hybrid": 1, "By telephone": 0, "By letter": 0, "In person (no longer offered)": 1}


def test_a_retired_option_can_be_offered_again(app, trainer):
    with app.app_context():
        question = build(trainer, Kind.DROPDOWN, ATTENDANCE)
        in_person = question.options[0]
        answer(question, in_person)
        services.update_question(
            question,
            **edit(
                question,
                current=[(code, label, code == in_person) for code, label, _ in edit(question)["options"].current],
            ),
        )
        services.update_question(question, **edit(question, restored=[in_person]))

        assert question.options[-1] == in_person and question.retired_options == []
        assert counts(question)["In person"] == 1


def test_a_stale_builder_form_is_refused_rather_than_applied_to_other_options(app, trainer):
    with app.app_context():
        question = build(trainer, Kind.SINGLE, ATTENDANCE)
        first, second, third = question.options
        stale = edit(question, current=[(first, "In person", False), (second, "Online", False)])

        try:
            services.update_question(question, **stale)
        except services.SurveyError as error:
            assert "reload the page" in str(error)
        else:
            raise AssertionError("a form missing an option was applied")
        assert question.options == [first, second, third]


def test_grid_rows_keep_their_answers_when_reordered_and_retired(app, trainer):
    with app.app_context():
        question = build(trainer, Kind.GRID, ["Agree", "Disagree"], rows=["Clear", "Useful"])
        agree, _disagree = question.options
        clear, useful = question.rows
        answer(question, agree, row=clear)
        services.update_question(question, **edit(question, rows=[(useful, "Useful", False), (clear, "Clear", True)]))

        survey = question.survey
        _total, summaries = results.summary(survey, release(survey, View()), "en")
        grid = dict(summaries[0].grid)
        assert list(grid) == ["Useful", "Clear (no longer offered)"]
        assert grid["Clear (no longer offered)"][0].count == 1


def test_a_question_code_cannot_be_a_column_of_the_export(app, trainer):
    with app.app_context():
        question = build(trainer, Kind.SINGLE, ATTENDANCE)
        try:
            services.update_question(question, **edit(question, code="country"))
        except services.SurveyError as error:
            assert "column" in str(error)
        else:
            raise AssertionError("a question took the name of the country column")


def test_the_builder_page_edits_each_option_in_place(app, client, trainer):
    with app.app_context():
        question = build(trainer, Kind.SINGLE, ATTENDANCE)
        survey_id, question_id = question.survey_id, question.id
        in_person, online, hybrid = question.options
        answer(question, online)
        db.session.commit()
    client.sign_in("trainer@example.eu")
    url = f"/surveys/{survey_id}/questions/{question_id}"
    page = client.get(url).get_data(as_text=True)

    saved = client.submit(
        url,
        {
            "text": "How did you take part?",
            "code": "q1",
            "current_options-0-code": in_person,
            "current_options-0-text": "In person",
            "current_options-0-place": "3",
            "current_options-1-code": online,
            "current_options-1-text": "Online, from the office",
            "current_options-1-place": "1",
            "current_options-2-code": hybrid,
            "current_options-2-text": "Hybrid",
            "current_options-2-place": "2",
            "options": "By telephone",
        },
    )

    assert 'name="current_options-2-text"' in page and "Hybrid" in page
    assert saved.status_code == 302
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert question.options[:3] == [online, hybrid, in_person] and len(question.options) == 4
        assert counts(question) == {"Online, from the office": 1, "Hybrid": 0, "In person": 0, "By telephone": 0}


def test_other_is_offered_on_single_choice_and_dropdown(app, trainer, make_app):
    with app.app_context():
        question = build(trainer, Kind.DROPDOWN, ATTENDANCE)
        services.update_question(question, **edit(question, allow_other=True))
        question.survey.anonymous = True
        token, question_id = question.survey.token, question.id
        db.session.commit()
    client = make_app().test_client()

    page = client.get(f"/surveys/s/{token}").get_data(as_text=True)
    unsaid = client.submit(f"/surveys/s/{token}", {f"q{question_id}": "other", "country": "SI"})
    client.submit(
        f"/surveys/s/{token}", {f"q{question_id}": "other", f"q{question_id}_other": "By post", "country": "SI"}
    )

    assert 'value="other"' in page and f'name="q{question_id}_other"' in page
    assert "Please say which." in unsaid.get_data(as_text=True)
    with app.app_context():
        stored = db.session.execute(select(Answer.option_code, Answer.text).where(Answer.question_id == question_id))
        assert stored.all() == [("other", "By post")]


def test_a_text_answer_of_spaces_is_no_answer_and_old_empty_ones_do_not_break_the_exports(
    app, client, trainer, answers, evaluation, create_user, create_organisation
):
    with app.app_context():
        survey = db.session.get(Survey, evaluation)
        survey.anonymous = False
        text_question = next(question for question in survey.questions if question.kind_.textual)
        token, question_id = survey.token, text_question.id
        db.session.commit()
    create_user("spela@example.si", organisation_id=create_organisation("Občina Črnomelj", "SI"))
    learner = app.test_client()
    learner.sign_in("spela@example.si")
    learner.submit(f"/surveys/s/{token}", {**answers(evaluation), f"q{question_id}": "   "})
    with app.app_context():
        assert db.session.scalar(select(Answer).where(Answer.question_id == question_id)) is None
        response = db.session.scalar(select(Response).where(Response.survey_id == evaluation))
        response.answers.append(
            Answer(
                survey_id=evaluation,
                question_id=question_id,
                text="",
                country="SI",
                submitted_on=response.submitted_on,
                language="en",
            )
        )  # stored so by earlier versions
        db.session.commit()
    client.sign_in("trainer@example.eu")

    exports = [
        client.get(f"/surveys/{evaluation}/export.{extension}{layout}")
        for extension in ("csv", "xlsx")
        for layout in ("", "?layout=analysis")
    ]

    assert [export.status_code for export in exports] == [200] * 4


EDITS = st.lists(
    st.sampled_from(["reorder", "reword", "add", "retire", "translate", "answer"]), min_size=1, max_size=12
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS, seed=st.randoms(use_true_random=False))
def test_any_sequence_of_edits_keeps_every_answer_with_the_option_chosen(app, trainer, edits, seed):
    with app.app_context():
        question = build(trainer, Kind.MULTIPLE, ["Radio", "Newspaper", "Posters"])
        labels = {code: label for code, label in zip(question.options, ["Radio", "Newspaper", "Posters"], strict=True)}
        chosen: dict[str, int] = dict.fromkeys(question.options, 0)  # code -> answers that chose it
        greek: dict[str, str] = {}
        words = iter(f"Channel {number}" for number in range(1000))
        for step in edits:
            offered = list(question.options)
            if step == "answer":
                picked = seed.sample(offered, seed.randint(1, len(offered)))
                answer(question, *picked)
                for code in picked:
                    chosen[code] += 1
                continue
            current = [(code, labels[code], False) for code in offered]
            added, restored = [], []
            if step == "reorder":
                seed.shuffle(current)
            elif step == "reword":
                index = seed.randrange(len(current))
                labels[current[index][0]] = next(words)
                greek.pop(current[index][0], None)  # its translation said the old words
                current[index] = (current[index][0], labels[current[index][0]], False)
            elif step == "add":
                added = [next(words)]
            elif step == "retire" and len(offered) > 2:
                index = seed.randrange(len(current))
                current[index] = (current[index][0], labels[current[index][0]], True)
            elif step == "translate":
                code = seed.choice(offered)
                greek[code] = f"Κανάλι {seed.randint(1, 10**6)}"
                services.save_translation(
                    question.survey, "el", {services.text_id(question, "options", code): greek[code]}
                )
                continue
            before = set(question.all_options)
            services.update_question(question, **edit(question, current=current, added=added, restored=restored))
            for code in set(question.all_options) - before:
                labels[code], chosen[code] = question.label("options", code, "en"), 0
            for code in before - set(question.all_options):
                assert chosen[code] == 0, "an answered option was forgotten"
                del chosen[code]

        shown = counts(question)
        for code, times in chosen.items():
            label = labels[code] if code in question.options else f"{labels[code]} (no longer offered)"
            assert shown.get(label, 0) == times, (label, shown)
        for code, translation in greek.items():
            if code in question.all_options:
                assert question.label("options", code, "el") == translation
        survey = question.survey
        rows = results.analysis_layout(survey, release(survey, View()))
        header = rows[0]
        for code, times in chosen.items():
            column = header.index(f"{question.code}:{code}")
            assert sum(int(row[column]) for row in rows[1:]) == times


def test_the_codebook_marks_retired_codes_and_leaves_missing_translations_empty(app, trainer):
    with app.app_context():
        grid = build(trainer, Kind.GRID, ["Poor", "Fair", "Good"], rows=["Morning"])
        survey = grid.survey
        survey.languages = ["en", "el"]
        poor, fair, _good = grid.options
        answer(grid, fair, row=grid.rows[0])
        services.update_question(
            grid, **edit(grid, current=[(poor, "Poor", False), (fair, "Fair", True), (_good, "Good", False)])
        )
        single = services.add_question(survey.sections[0], Kind.SINGLE)
        services.update_question(single, **edit(single, added=["North", "South"], code="region", allow_other=True))
        services.save_translation(survey, "el", {services.text_id(single, "options", single.options[0]): "Βορράς"})

        book = results.codebook(survey)

    header = book[0]
    by_key = {(row[0], str(row[3])): row for row in book[1:]}
    assert by_key[(f"{grid.code}:{grid.rows[0]}", fair)][4] == "retired"
    assert by_key[(f"{grid.code}:{grid.rows[0]}", poor)][4] == "offered"
    assert by_key[("region", single.options[0])][header.index("label_el")] == "Βορράς"
    assert by_key[("region", single.options[1])][header.index("label_el")] == ""  # not translated yet
    assert ("region", "other") in by_key and ("region:other", "text") in by_key
