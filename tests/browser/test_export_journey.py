"""A trainer asks for an export made in the background: the page follows the worker without being reloaded."""

from pathlib import Path

from playwright.sync_api import expect

from lms.core import jobs
from lms.surveys.services import course_survey
from tests.browser.conftest import sign_in


def test_the_exports_page_follows_the_worker_and_then_offers_the_file(person, platform):
    trainer = person("sl")
    page = trainer.page
    sign_in(trainer, "trainer@clarinet.example")
    with platform.app.app_context():
        evaluation = course_survey("positive-stories").id
    page.goto(f"/surveys/{evaluation}/exports")
    trainer.sees("Your exports")
    kind = trainer.t("CSV for analysis (codes)")

    trainer.follow(page.get_by_role("button", name=kind, exact=True))

    row = page.locator("#exports tbody tr").first
    expect(row.locator(".export-status")).to_have_text(trainer.t("Waiting for its turn"))
    page.evaluate("window.notReloaded = true")
    with platform.app.app_context():
        jobs.run_due()  # a worker makes the file
    download = row.get_by_role("link", name=trainer.t("Download"))
    expect(download).to_be_visible()  # shown by the script, within a few seconds
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#exports-news")).to_have_text(f"{kind}: " + row.locator(".export-status").inner_text())
    trainer.audited.clear()  # audited before with no export listed: now with its row, progress bar and link
    trainer.audit()
    with page.expect_download() as saved:
        download.click()
    assert saved.value.suggested_filename == f"survey-{evaluation}-analysis.csv"
    header = Path(saved.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("response_id,group_completed_on,country,language,")
