"""The accessibility audit itself: it must fail on a page that breaks WCAG, or the journeys prove nothing."""

import pytest

from tests.browser.conftest import Person


def test_the_audit_fails_on_a_page_that_breaks_wcag(person):
    visitor: Person = person("en")
    visitor.page.set_content(
        '<html lang="en"><title>Broken</title><main><h1>Broken</h1>'
        '<img src="data:,"><p style="color:#bbb;background:#fff">Pale text</p></main></html>'
    )

    with pytest.raises(AssertionError) as failure:
        visitor.audit()

    assert "image-alt" in str(failure.value) and "color-contrast" in str(failure.value)
