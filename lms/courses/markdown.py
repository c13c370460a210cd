"""Lesson Markdown to safe HTML: CommonMark with tables and call-out boxes, then sanitised."""

from collections.abc import Callable
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape
from mdit_py_plugins.container import container_plugin

CALLOUTS = ("tip", "note", "warning", "example", "video")
MEDIA_PREFIX = "media/"

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "img",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "aside",
    "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}
ALLOWED_CLASSES = {"aside": {"callout", *(f"callout-{kind}" for kind in CALLOUTS)}, "span": {"callout-title"}}


def _callout_renderer(kind: str):
    def render(self, tokens, index, _options, _env):
        token = tokens[index]
        if token.nesting != 1:
            return "</aside>\n"
        title = token.info.strip()[len(kind) :].strip()
        heading = f'<span class="callout-title">{escape(title)}</span>\n' if title else ""
        return f'<aside class="callout callout-{kind}">\n{heading}'

    return render


@cache
def parser() -> MarkdownIt:
    """Return the Markdown parser that lessons are written for."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    for kind in CALLOUTS:
        md.use(container_plugin, kind, render=_callout_renderer(kind))
    return md


def media_references(tokens: list[Token]):
    """Yield (line, token, attribute, name) for every image or link that points into media/."""
    for token in tokens:
        for child in [token, *(token.children or [])]:
            attribute = "src" if child.type == "image" else "href" if child.type == "link_open" else None
            target = child.attrGet(attribute) if attribute else None
            if isinstance(target, str) and target.startswith(MEDIA_PREFIX):
                yield (token.map[0] + 1 if token.map else 1), child, attribute, target[len(MEDIA_PREFIX) :]


def render(tokens: list[Token], media_url: Callable[[str], str]) -> str:
    """Render parsed lesson *tokens* to sanitised HTML, pointing media/ links at *media_url*."""
    for _line, token, attribute, name in media_references(tokens):
        token.attrSet(attribute, media_url(name))
    html = parser().renderer.render(tokens, parser().options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )
