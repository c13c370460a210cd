"""Markdown written by people on the platform, rendered to safe HTML (no raw HTML, an allow-list)."""

from functools import cache

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "hr"}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def render(text: str) -> str:
    """Render *text* as sanitised HTML: links, lists, emphasis; no images, no script, no raw HTML."""
    return nh3.clean(
        _parser().render(text),
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
