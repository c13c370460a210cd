"""Reminders: to invited people who have not answered, once per configured day, while the survey is open; the
survey's managers see how many went out, never to whom."""

import re

import pytest
from sqlalchemy import update

from lms.accounts.models import User
from lms.extensions import db
from lms.surveys.models import Survey

SETTINGS = {"title": "Evaluation", "anonymous": "y", "course": "local-voices", "languages": ["en"]}


def set_survey(app, survey_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Survey).where(Survey.id == survey_id).values(**values))
        db.session.commit()


@pytest.fixture
def survey(app, evaluation):
    """The course's anonymous evaluation, with reminders 3 and 7 days after the invitation."""
    set_survey(app, evaluation, reminder_days=[3, 7])
    return evaluation


def field_error(response) -> str | None:
    """Return the message shown beside the reminders field."""
    found = re.search(r'<p class="field-error" id="reminder_days-error">([^<]+)</p>', response.get_data(as_text=True))
    return found and found[1]


def test_the_setting_takes_a_few_days_from_1_to_60_and_says_what_is_wrong(app, client, trainer, survey):
    client.sign_in("trainer@example.eu")

    saved = client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": "7 3, 3"})
    page = client.get(f"/surveys/{survey}/edit").get_data(as_text=True)
    refused = {
        typed: client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": typed})
        for typed in ("0", "61", "1, 2, 3, 4", "three", "2.5", "99999999999", "3" * 101)
    }
    cleared = client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": " "})

    assert saved.status_code == 302 and 'value="3, 7"' in page
    for typed, response in refused.items():
        assert response.status_code == 200 and field_error(response), typed
        assert f'value="{typed}"' in response.get_data(as_text=True)  # what was typed stays, to be corrected
    out_of_range = "A reminder comes 1 to 60 days after the invitation."
    not_numbers = "Write whole numbers of days separated by commas, for example 3, 7."
    assert {typed: field_error(response) for typed, response in refused.items()} == {
        "0": out_of_range,
        "61": out_of_range,
        "99999999999": out_of_range,
        "1, 2, 3, 4": "Set at most 3 reminders.",
        "three": not_numbers,
        "2.5": not_numbers,
        "3" * 101: not_numbers,
    }
    assert cleared.status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey).reminder_days == []


def test_the_settings_message_is_in_the_trainers_language(app, client, trainer, survey):
    with app.app_context():
        db.session.get(User, trainer).language = "sl"
        db.session.commit()
    client.sign_in("trainer@example.eu")

    refused = client.submit(f"/surveys/{survey}/edit", {**SETTINGS, "reminder_days": "90"})

    assert field_error(refused) == "Opomnik se lahko pošlje od 1 do 60 dni po povabilu."
