"""Trainers enrol people of their countries and follow their progress, and nobody else's."""

import csv
import io

from lms.accounts.models import Role


def test_a_trainer_enrols_an_organisation_and_named_people(client, course, create_user, create_organisation):
    burgas = create_organisation("Община Бургас", "BG")
    constanta = create_organisation("Primăria Municipiului Constanța", "RO")
    create_user("maria@burgas.example", name="Мария Иванова", organisation_id=burgas)
    create_user("ivan@burgas.example", name="Иван Петров", organisation_id=burgas)
    create_user("ioana@constanta.example", name="Ioana Popescu", organisation_id=constanta)
    create_user("trainer@example.eu", roles=(Role.TRAINER,), countries=("BG", "RO"))
    client.sign_in("trainer@example.eu")

    response = client.submit(
        "/courses/local-voices/enrol-people",
        {"organisation": burgas, "emails": "ioana@constanta.example, nobody@example.eu"},
    )
    report = client.get("/courses/local-voices/report").get_data(as_text=True)

    assert response.headers["Location"] == "/courses/local-voices/report"
    assert "3 newly enrolled, 0 were enrolled already." in report
    assert "nobody@example.eu" in report
    assert "Община Бургас" in report and "Primăria Municipiului Constanța" in report


def test_a_trainer_cannot_enrol_or_see_people_of_other_countries(app, client, course, create_user, create_organisation):
    vienna = create_organisation("Stadtgemeinde Traiskirchen", "AT")
    create_user("lukas@example.at", organisation_id=vienna)
    create_user("trainer.hu@example.eu", roles=(Role.TRAINER,), countries=("HU",))
    create_user("trainer.at@example.eu", roles=(Role.TRAINER,), countries=("AT",))
    austrian = app.test_client()
    austrian.sign_in("trainer.at@example.eu")
    austrian.submit("/courses/local-voices/enrol-people", {"organisation": vienna})
    client.sign_in("trainer.hu@example.eu")

    enrol = client.submit("/courses/local-voices/enrol-people", {"organisation": vienna, "emails": "lukas@example.at"})
    report = client.get("/courses/local-voices/report").get_data(as_text=True)
    export = client.get("/courses/local-voices/report?format=csv").get_data(as_text=True)

    assert "Traiskirchen" not in client.get("/courses/local-voices/enrol-people").get_data(as_text=True)
    assert enrol.status_code == 200 and "Not a valid choice" in enrol.get_data(as_text=True)
    assert "Traiskirchen" not in report and "Traiskirchen" not in export
    assert "Stadtgemeinde Traiskirchen" in austrian.get("/courses/local-voices/report").get_data(as_text=True)


def test_the_progress_report_counts_per_organisation_and_exports_csv(
    app, client, course, create_user, create_organisation
):
    town = create_organisation("Občina Črnomelj", "SI")
    for name in ("ana", "bor", "cvet"):
        create_user(f"{name}@crnomelj.example", organisation_id=town)
    create_user("admin@example.eu", roles=(Role.TRAINER,), countries=("SI",))
    for email, lessons in (("ana@crnomelj.example", 1), ("bor@crnomelj.example", 0)):
        learner = app.test_client()
        learner.sign_in(email)
        learner.submit("/courses/local-voices/enrol")
        if lessons:
            learner.submit("/courses/local-voices/lessons/first-steps/done")
    client.sign_in("admin@example.eu")

    rows = list(
        csv.reader(
            io.StringIO(client.get("/courses/local-voices/report?format=csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )

    assert rows == [
        ["Country", "Organisation", "Enrolled", "Started", "Completed"],
        ["Slovenia", "Občina Črnomelj", "2", "1", "0"],
    ]


def test_learners_cannot_enrol_others_or_read_reports(client, learner, course):
    assert client.get("/courses/local-voices/enrol-people").status_code == 403
    assert client.get("/courses/local-voices/report").status_code == 403
