"""Finding and removing what identifies a person in a text: names, e-mail addresses and phone numbers.

The one place that does it, for the FAQ's anonymised drafts and checks and for erasure. A name matches as a
whole word in any script, ignoring case and accents ("ΜΑΡΙΑ" is "Μαρία", "Sandor" is "Sándor"): the full name
and each part of two or more letters, except particles such as "de" or "van" that are ordinary words too.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from babel.lists import format_list
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _

NAME, EMAIL, PHONE = "name", "email", "phone"
KINDS = (NAME, EMAIL, PHONE)
#: Parts of names that are ordinary words in the partner languages; removed only within the full name.
PARTICLES = {
    "al", "da", "das", "de", "del", "della", "den", "der", "di", "do", "dos", "du", "el", "la", "le", "lo",
    "st", "te", "ten", "ter", "van", "von", "zu", "zum", "zur",
}  # fmt: skip

EMAIL_PATTERN = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.\w{2,}(?![\w-])")
#: Digits in groups, with an optional + or 00 and an area code in brackets: judged by `_is_phone` afterwards.
_GROUP = r"(?:\(\d{1,5}\)[ \u00a0]?)?\d+"
_SEPARATOR = r"(?:[ \u00a0]?[-/\u2013][ \u00a0]?|\.|[ \u00a0])"
PHONE_CANDIDATE = re.compile(rf"(?<![\w+/=&#%-])\+?{_GROUP}(?:{_SEPARATOR}{_GROUP})*(?![\w:]|[.,]\d)")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:[ \u00a0.,]\d{3})+")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_YEARS = re.compile(r"(?:19|20)\d{2}\s*[-/\u2013]\s*(?:19|20)\d{2}")
_REFERENCE = re.compile(r"\d{1,6}/(?:19|20)\d{2}|(?:19|20)\d{2}/\d{1,6}")
#: The combining marks that accents decompose into (Latin, Greek and Cyrillic).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_PRIORITY = {EMAIL: 0, PHONE: 1, NAME: 2}


@dataclass(frozen=True)
class Found:
    """One thing that identifies a person, as written in the text."""

    kind: str
    text: str
    #: For names: True when it is a whole name as given, False for one part of it ("Maria" of "Maria Rossi").
    whole: bool = True


@dataclass
class Redacted:
    text: str
    found: list[Found] = field(default_factory=list)


def fold(text: str) -> str:
    """Return *text* without accents, case and invisible characters, for comparing names: "Ελένη", "ΕΛΕΝΗ" and
    "Ελ\u200bένη" (a zero-width space inside) fold alike."""
    visible = "".join(character for character in text if unicodedata.category(character) != "Cf")
    return _MARKS.sub("", _MARKS.sub("", unicodedata.normalize("NFKD", visible)).casefold())


def name_variants(name: str) -> list[tuple[str, bool]]:
    """Return (variant, whole) for a person's name: the full name, then each part of two or more letters."""
    name = " ".join((name or "").split())
    if sum(ch.isalpha() for ch in name) < 2:
        return []
    variants = {name: True}
    for word in name.split():
        for part in [word, *re.split(r"[-'’‐]", word)]:
            letters = sum(ch.isalpha() for ch in part)
            if letters >= 2 and fold(part) not in PARTICLES:
                variants.setdefault(part.strip("-'’‐."), False)
    return sorted(variants.items(), key=lambda item: -len(item[0]))


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """Fold *text* character by character, remembering which original character each folded one came from."""
    folded, positions = [], []
    for index, character in enumerate(text):
        for piece in fold(character):
            folded.append(piece)
            positions.append(index)
    return "".join(folded), positions


def _name_pattern(names: Iterable[str]) -> tuple[re.Pattern | None, dict[str, bool]]:
    wholes: dict[str, bool] = {}
    for name in names:
        for variant, whole in name_variants(name):
            key = " ".join(fold(variant).split())
            wholes[key] = wholes.get(key, False) or whole
    if not wholes:
        return None, wholes
    alternatives = [r"\s+".join(map(re.escape, key.split())) for key in sorted(wholes, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"), wholes


def _is_phone(candidate: str) -> bool:
    """Tell whether a run of digits is a phone number rather than a year, a date, an amount or a reference."""
    digits = sum(ch.isdigit() for ch in candidate)
    if not 8 <= digits <= 15 or candidate.count("(") != candidate.count(")"):
        return False
    if candidate.startswith(("+", "00", "(")):
        return True
    compact = candidate.strip()
    return not any(pattern.fullmatch(compact) for pattern in (_THOUSANDS, _DATE, _YEARS, _REFERENCE))


def _spans(text, names, emails, any_email, phones, lower_case_parts=True) -> list[tuple[int, int, Found]]:
    wanted = {email.casefold() for email in emails if email}
    spans = [
        (match.start(), match.end(), Found(EMAIL, match.group()))
        for match in EMAIL_PATTERN.finditer(text)
        if any_email or match.group().casefold() in wanted
    ]
    if phones:
        spans += [
            (match.start(), match.end(), Found(PHONE, match.group()))
            for match in PHONE_CANDIDATE.finditer(text)
            if _is_phone(match.group())
        ]
    pattern, wholes = _name_pattern(names)
    if pattern is not None and pattern.search(fold(text)):
        folded, positions = _folded_with_positions(text)
        for match in pattern.finditer(folded):
            start, end = positions[match.start()], positions[match.end() - 1] + 1
            while end < len(text) and _MARKS.match(text[end]):
                end += 1
            whole = wholes[" ".join(match.group().split())]
            if whole or lower_case_parts or text[start].isupper():
                spans.append((start, end, Found(NAME, text[start:end], whole)))
    accepted: list[tuple[int, int, Found]] = []
    for start, end, found in sorted(spans, key=lambda span: (_PRIORITY[span[2].kind], span[0])):
        if all(end <= other_start or start >= other_end for other_start, other_end, _f in accepted):
            accepted.append((start, end, found))
    return sorted(accepted, key=lambda span: span[0])


def mentions(text: str | None, *, names: Iterable[str] = (), emails: Iterable[str] = ()) -> bool:
    """Tell quickly whether *text* may mention one of *names* or *emails* (a cheap test before `redact`)."""
    if not text:
        return False
    folded = fold(text)
    needles = [fold(email) for email in emails if email]
    needles += [" ".join(fold(variant).split()) for name in names for variant, _whole in name_variants(name)]
    return any(needle in folded for needle in needles)


def mentions_person(text: str | None, name: str, email: str) -> bool:
    """Tell whether *text* names one person: their address, their full name, or every word of it somewhere
    (a first and a last name in two columns of a file)."""
    if not mentions(text, names=[name], emails=[email]):
        return False
    found = find(text, names=[name], emails=[email], any_email=False, phones=False)
    if any(item.kind == EMAIL or item.whole for item in found):
        return True
    words = [word for word in name.split() if name_variants(word)]
    return bool(words) and all(find(text, names=[word], any_email=False, phones=False) for word in words)


def markers(language: str | None = None) -> dict[str, str]:
    """Return the visible markers that replace what was removed, in *language* (the text's) or the reader's."""
    with force_locale(language or str(get_locale() or "en")):
        return {NAME: _("[name removed]"), EMAIL: _("[e-mail removed]"), PHONE: _("[phone removed]")}


def find(
    text: str | None, *, names: Iterable[str] = (), emails: Iterable[str] = (), any_email=True, phones=True
) -> list[Found]:
    """Return what in *text* identifies someone: *names*, e-mail addresses (all, or only *emails*), phones."""
    return [found for *_span, found in _spans(text or "", list(names), list(emails), any_email, phones)]


def redact(
    text: str | None,
    *,
    names: Iterable[str] = (),
    emails: Iterable[str] = (),
    any_email=True,
    phones=True,
    lower_case_parts=True,
    language: str | None = None,
) -> Redacted:
    """Replace what `find` finds in *text* by markers such as "[name removed]" in *language*.

    Without *lower_case_parts*, a part of a name alone counts only where it is written as a name, capitalised or
    in capitals ("Nagy", not the Hungarian word "nagy"); full names and addresses count however written.
    """
    text = text or ""
    spans = _spans(text, list(names), list(emails), any_email, phones, lower_case_parts)
    if not spans:
        return Redacted(text)
    shown = markers(language)
    pieces, last = [], 0
    for start, end, found in spans:
        pieces += [text[last:start], shown[found.kind]]
        last = end
    return Redacted("".join([*pieces, text[last:]]), [found for *_span, found in spans])


def forget(text: str | None, name: str, email: str, language: str | None = None) -> str | None:
    """Return *text* with one person's name and e-mail address replaced by markers (for erasure).

    Nobody reviews what erasure changes in other people's texts, so a part of the name alone is replaced only
    where it is written as a name: erasing "Nagy Zsófia" leaves the word "nagy" (big) of a Hungarian answer.
    """
    if not mentions(text, names=[name], emails=[email]):
        return text
    return redact(
        text, names=[name], emails=[email], any_email=False, phones=False, lower_case_parts=False, language=language
    ).text


def describe(found: Iterable[Found]) -> str:
    """Say in the reader's language what was removed, e.g. "2 names, 1 e-mail address"; empty when nothing."""
    counts = Counter(item.kind for item in found)
    parts = []
    if counts[NAME]:
        parts.append(ngettext("%(num)d name", "%(num)d names", counts[NAME]))
    if counts[EMAIL]:
        parts.append(ngettext("%(num)d e-mail address", "%(num)d e-mail addresses", counts[EMAIL]))
    if counts[PHONE]:
        parts.append(ngettext("%(num)d phone number", "%(num)d phone numbers", counts[PHONE]))
    return format_list(parts, locale=str(get_locale() or "en")) if parts else ""
