"""Who may see and do what: every route of the app, for every kind of visitor, checked against two tables
(GET, and POST with a valid CSRF token and an empty form).

The tables are checked against the app's own URL map, so a new route without an entry fails here.
Expected answers: a status code, or "login" (sent to sign in), or "away" (redirected elsewhere).
"""

import pytest

from tests.conftest import VISITORS

PUBLIC = (200,) * 7
SIGNED_IN = ("login",) + (200,) * 6
ADMIN = ("login", 403, 403, 403, 403, 403, 200)
MANAGERS = ("login", 403, 403, 403, 200, 200, 200)
SCOPED = ("login", 403, 403, 403, 403, 200, 200)
CREATOR = ("login", 403, 403, 403, 404, 200, 200)

#: endpoint -> (path with the world's objects, expected answer per visitor)
TABLE = {
    "core.index": ("/", PUBLIC),
    "core.outbox": ("/outbox", ADMIN),
    "core.outbox_message": ("/outbox/{message}", ADMIN),
    "core.job_list": ("/jobs?state=failed", ADMIN),
    "static": ("/static/css/lms.css", PUBLIC),
    "accounts.login": ("/accounts/sign-in", (200,) + ("away",) * 6),
    "accounts.second_factor": ("/accounts/sign-in/code", ("login",) * 7),
    "accounts.register": ("/accounts/register", (404,) * 7),
    "accounts.request_reset": ("/accounts/password-reset", PUBLIC),
    "accounts.reset_password": ("/accounts/password-reset/{reset_token}", PUBLIC),
    "accounts.join": ("/accounts/join/{join_token}", PUBLIC),
    "accounts.join_confirm": ("/accounts/join/confirm/{join_confirmation}", PUBLIC),
    "accounts.profile": ("/accounts/profile", SIGNED_IN),
    "accounts.my_data": ("/accounts/profile/data.json", SIGNED_IN),
    "accounts.two_factor_setup": ("/accounts/two-factor", SIGNED_IN),
    "accounts.users": ("/accounts/admin/users", ADMIN),
    "accounts.edit_user": ("/accounts/admin/users/{learner}", ADMIN),
    "accounts.organisations": ("/accounts/admin/organisations", ADMIN),
    "accounts.edit_organisation": ("/accounts/admin/organisations/{organisation}", ADMIN),
    "accounts.invitations": ("/accounts/invitations", MANAGERS),
    "courses.catalogue": ("/courses/", PUBLIC),
    "courses.course": ("/courses/local-voices", PUBLIC),
    "courses.media": ("/courses/local-voices/media/stall.svg", PUBLIC),
    "courses.mine": ("/courses/mine", SIGNED_IN),
    "courses.lesson": ("/courses/local-voices/lessons/first-steps", ("login", 200) + ("away",) * 5),
    "courses.resume": ("/courses/local-voices/continue", ("login",) + ("away",) * 6),
    "courses.enrol_people": ("/courses/local-voices/enrol-people", MANAGERS),
    "courses.report": ("/courses/local-voices/report", MANAGERS),
    "certificates.mine": ("/certificates/", SIGNED_IN),
    # 202: the page that says the PDF is being prepared (the world runs no jobs).
    "certificates.download": ("/certificates/{code}.pdf", ("login", 200, 403, 403, 403, 200, 200)),
    "certificates.verify": ("/certificates/verify/{code}", PUBLIC),
    "certificates.open_badge": ("/certificates/{code}/credential.json", PUBLIC),
    "certificates.issuer": ("/certificates/issuer", PUBLIC),
    "certificates.manage": ("/certificates/manage", MANAGERS),
    "certificates.revoke": ("/certificates/manage/{code}/revoke", SCOPED),
    "certificates.requests": ("/certificates/manage/requests", MANAGERS),
    "surveys.index": ("/surveys/", MANAGERS),
    "surveys.mine": ("/surveys/mine", SIGNED_IN),
    "surveys.answer": ("/surveys/s/{survey_token}", PUBLIC),
    "surveys.edit": ("/surveys/{survey}/edit", CREATOR),
    "surveys.edit_section": ("/surveys/{survey}/sections/{section}", CREATOR),
    "surveys.edit_question": ("/surveys/{survey}/questions/{question}", CREATOR),
    "surveys.translate": ("/surveys/{survey}/translate/de", CREATOR),
    "surveys.share": ("/surveys/{survey}/share", CREATOR),
    # Every trainer reads a published survey's results, for their own countries.
    "surveys.results": ("/surveys/{survey}/results", MANAGERS),
    "surveys.export": ("/surveys/{survey}/export.csv", MANAGERS),  # no answers yet: the header only
    "surveys.codebook": ("/surveys/{survey}/codebook.csv", MANAGERS),
    "surveys.my_exports": ("/surveys/{survey}/exports", MANAGERS),
    "surveys.export_states": ("/surveys/{survey}/exports.json", MANAGERS),
    # Made for the trainer of Slovenia: theirs alone, not even an admin's.
    "surveys.download_export": ("/surveys/{survey}/exports/{survey_export}", ("login", 403, 403, 403, 404, 200, 404)),
    "surveys.static": ("/surveys/static/exports.js", PUBLIC),
    "surveys.import_responses": ("/surveys/{survey}/import", CREATOR),
    "dashboards.index": ("/dashboards/?survey={survey}", MANAGERS),
    "dashboards.answers": ("/dashboards/answers?survey={survey}", MANAGERS),
    "dashboards.export": ("/dashboards/countries.csv?survey={survey}", MANAGERS),
    "dashboards.report": ("/dashboards/report?survey={survey}&country=SI", SCOPED),
    "dashboards.plotly_js": ("/dashboards/plotly.min.js", PUBLIC),
    "dashboards.static": ("/dashboards/static/charts.js", PUBLIC),
    "support.index": ("/support/", SIGNED_IN),
    "support.ask": ("/support/ask", SIGNED_IN),
    "support.ticket": ("/support/{ticket}", ("login", 200, 404, 404, 404, 404, 200)),
    "support.attachment": ("/support/attachments/{attachment}", ("login", 200, 404, 404, 404, 404, 200)),
    "support.publish": ("/support/{ticket}/faq", ("login", 403, 404, 404, 404, 404, 403)),
    "support.faq": ("/support/faq", PUBLIC),
    "support.faq_entry": ("/support/faq/{faq}", PUBLIC),
    "support.edit_faq": ("/support/faq/{faq}/edit", ADMIN),
    "support.suggestions": ("/support/faq/suggestions?q=viral", PUBLIC),
    "support.static": ("/support/static/suggestions.js", PUBLIC),
    "support.experts": ("/support/experts", ADMIN),
    "support.edit_expert": ("/support/experts/{other_expert}", ADMIN),
    "support.topics": ("/support/topics", ADMIN),
    "support.edit_topic": ("/support/topics/communication", ADMIN),
}
#: endpoint -> (path, expected answer per visitor) when the visitor sends the form empty. Those who may
#: act find the form shown again with the errors beside its fields (200, or 422 where the view says so),
#: a one-click action done or refused with a message ("away"), or a malformed action refused (400).
#: No row changes what a later row checks; signing out comes last.
SIGNED_IN_AWAY = ("login",) + ("away",) * 6
CREATOR_AWAY = ("login", 403, 403, 403, 404, "away", "away")
POST_TABLE = {
    "core.set_language": ("/language", (400,) * 7),
    "core.retry_job": ("/jobs/{job}/retry", ("login", 403, 403, 403, 403, 403, "away")),
    "accounts.login": ("/accounts/sign-in", (200,) + ("away",) * 6),
    "accounts.second_factor": ("/accounts/sign-in/code", ("login",) * 7),
    "accounts.register": ("/accounts/register", (404,) * 7),
    "accounts.request_reset": ("/accounts/password-reset", PUBLIC),
    "accounts.reset_password": ("/accounts/password-reset/{reset_token}", PUBLIC),
    "accounts.join": ("/accounts/join/{join_token}", PUBLIC),
    "accounts.join_confirm": ("/accounts/join/confirm/{join_confirmation}", PUBLIC),
    "accounts.profile": ("/accounts/profile", SIGNED_IN),
    "accounts.change_password": ("/accounts/profile/password", ("login",) + (422,) * 6),
    "accounts.two_factor_setup": ("/accounts/two-factor", SIGNED_IN),
    "accounts.recovery_codes": ("/accounts/two-factor/recovery-codes", ("login",) + (404,) * 5 + ("away",)),
    "accounts.two_factor_disable": ("/accounts/two-factor/off", SIGNED_IN_AWAY),
    "accounts.sign_out_everywhere": ("/accounts/profile/sign-out-everywhere", SIGNED_IN_AWAY),
    "accounts.edit_user": ("/accounts/admin/users/{learner}", ADMIN),
    "accounts.erase_user": ("/accounts/admin/users/{other_learner}/erase", ("login", 403, 403, 403, 403, 403, "away")),
    "accounts.edit_organisation": ("/accounts/admin/organisations/{organisation}", ADMIN),
    "accounts.invitations": ("/accounts/invitations", MANAGERS),
    "accounts.revoke_invitation": (
        "/accounts/invitations/{invitation}/revoke",
        ("login", 403, 403, 403, 403, "away", "away"),
    ),
    "courses.enrol": ("/courses/local-voices/enrol", SIGNED_IN_AWAY),
    "courses.complete_lesson": ("/courses/local-voices/lessons/first-steps/done", SIGNED_IN_AWAY),
    "courses.submit_check": ("/courses/local-voices/lessons/second-steps/check", ("login",) + (422,) * 6),
    "courses.enrol_people": ("/courses/local-voices/enrol-people", MANAGERS),
    "certificates.reissue": ("/certificates/{code}/reissue", ("login", "away", 403, 403, 403, 403, 403)),
    "certificates.revoke": ("/certificates/manage/{code}/revoke", SCOPED),
    # Refused by the trainer of Slovenia; the admin then finds it decided already.
    "certificates.decide": (
        "/certificates/manage/requests/{reissue_request}/refuse",
        ("login", 403, 403, 403, 404, "away", "away"),
    ),
    "surveys.new": ("/surveys/new", ("login", 403, 403, 403, "away", "away", "away")),
    "surveys.from_template": ("/surveys/from-template", ("login", 403, 403, 403, 400, 400, 400)),
    "surveys.edit": ("/surveys/{survey}/edit", CREATOR),
    "surveys.add_section": ("/surveys/{survey}/sections", CREATOR_AWAY),
    "surveys.add_question": ("/surveys/{survey}/sections/{section}/questions", ("login", 403, 403, 403, 404, 400, 400)),
    "surveys.edit_section": ("/surveys/{survey}/sections/{section}", CREATOR_AWAY),
    "surveys.edit_question": ("/surveys/{survey}/questions/{question}", CREATOR),
    "surveys.translate": ("/surveys/{survey}/translate/de", CREATOR_AWAY),
    "surveys.rearrange": ("/surveys/{survey}/questions/{question}/down", CREATOR_AWAY),
    "surveys.lifecycle": ("/surveys/{survey}/duplicate", CREATOR_AWAY),
    "surveys.import_responses": ("/surveys/{survey}/import", CREATOR),
    "surveys.request_export": ("/surveys/{survey}/exports", ("login", 403, 403, 403, 400, 400, 400)),
    "surveys.issue_codes": ("/surveys/{survey}/codes", ("login", 403, 403, 403, 404, 422, 422)),
    "surveys.answer": ("/surveys/s/{survey_token}", (422,) * 7),
    "support.ask": ("/support/ask", SIGNED_IN),
    "support.ticket": ("/support/{ticket}", ("login", 422, 404, 404, 404, 404, 422)),
    "support.act": ("/support/{ticket}/take", ("login", 403, 404, 404, 404, 404, 403)),
    "support.publish": ("/support/{ticket}/faq", ("login", 403, 404, 404, 404, 404, 403)),
    "support.edit_faq": ("/support/faq/{faq}/edit", ("login", 403, 403, 403, 403, 403, 422)),
    "support.faq_state": ("/support/faq/{faq}/withdraw", ("login", 403, 403, 403, 403, 403, "away")),
    "support.edit_expert": ("/support/experts/{other_expert}", ("login", 403, 403, 403, 403, 403, "away")),
    "support.edit_topic": ("/support/topics/communication", ADMIN),
    "accounts.logout": ("/accounts/sign-out", ("login",) * 7),
}


def answer_of(response) -> object:
    if response.status_code in (301, 302, 303, 307, 308):
        return "login" if response.headers["Location"].startswith("/accounts/sign-in") else "away"
    return response.status_code


@pytest.mark.parametrize(("method", "table"), [("GET", TABLE), ("POST", POST_TABLE)])
def test_every_route_is_in_the_table(app, method, table):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if method in rule.methods}

    assert endpoints - set(table) == set(), (
        f"add the new {method} routes to the table with the answer each visitor must get"
    )
    assert set(table) - endpoints == set()


def test_each_visitor_gets_the_answer_the_table_gives(world):
    ids, clients = world
    wrong = []
    for method, table in (("GET", TABLE), ("POST", POST_TABLE)):
        for endpoint, (path, expected) in table.items():
            url = path.format(**ids)
            for visitor, wanted in zip(VISITORS, expected, strict=True):
                client = clients[visitor]
                response = (
                    client.get(url) if method == "GET" else client.post(url, data={"csrf_token": client.csrf_token()})
                )
                got = answer_of(response)
                response.close()
                if got != wanted:
                    wrong.append(f"{method} {endpoint} {url} as {visitor}: got {got}, expected {wanted}")
    assert wrong == [], "\n".join(wrong)
