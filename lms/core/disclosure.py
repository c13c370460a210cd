"""Disclosure control: the rules that keep groups of fewer than k people out of every figure.

A figure about a group of 1–4 people, or one that can be subtracted from another figure down to
such a group, singles them out. The rules here are pure functions over counts; the packages that
own the data (surveys, support) apply them before any figure leaves them:

- `blocks`: a group's answers, day by day, cut into blocks of at least k. Only whole days that are
  over go into a block, and the answers after the last complete block wait. Every figure is a sum
  of whole blocks, so the difference of any two figures, whatever their filters or dates, is a
  sum of whole blocks too: never fewer than k people, never one person.
- `language_groups`: which languages inside a block are groups of at least k of their own.
- `suppressed`: the cells of one table line to hide so that neither a cell under k nor, through
  the line's total, any hidden cell can be worked out (primary and complementary suppression).
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from flask import current_app


def minimum_group() -> int:
    """Return k: the smallest group whose figures may be shown (`LMS_SURVEY_MIN_GROUP`, 5 by default)."""
    return current_app.config["SURVEY_MIN_GROUP"]


@dataclass(frozen=True)
class Block:
    """At least k answers of one group, from whole days: *first* to *last*, both included."""

    group: Hashable
    first: date
    last: date
    count: int
    #: The languages that are a group of at least k of their own within the block.
    named_languages: frozenset[str] = frozenset()

    @property
    def month(self) -> tuple[int, int]:
        """The month in which the block became complete: where a trend or a period counts it."""
        return self.last.year, self.last.month


def blocks(counts: Iterable[tuple[Hashable, date, str, int]], k: int, today: date) -> list[Block]:
    """Cut (group, day, language, count) rows into blocks of at least *k* per group, from days before *today*.

    Blocks follow each other in time within a group; their boundaries only ever depend on earlier
    days, so a block, once complete, never changes as more answers arrive.
    """
    by_group: dict[Hashable, dict[date, dict[str, int]]] = {}
    for group, day, language, count in counts:
        if day < today and count:
            languages = by_group.setdefault(group, {}).setdefault(day, {})
            languages[language] = languages.get(language, 0) + count
    result = []
    for group, days in by_group.items():
        first, total, languages = None, 0, {}
        for day in sorted(days):
            first = first or day
            for language, count in days[day].items():
                languages[language] = languages.get(language, 0) + count
                total += count
            if total >= k:
                named = frozenset(language for language, own in language_groups(languages, k).items() if own)
                result.append(Block(group, first, day, total, named))
                first, total, languages = None, 0, {}
    return result


def language_groups(counts: dict[str, int], k: int) -> dict[str, bool]:
    """Tell, for each language, whether it may be named: a group of at least *k*, with what is left also 0 or ≥ *k*.

    Languages under *k* are pooled as "other languages"; while that pool holds 1 to k−1 people, the
    smallest named language joins it, so that no pool and no difference of pools is under *k*.
    """
    named = {language for language, count in counts.items() if count >= k}
    while True:
        pooled = sum(count for language, count in counts.items() if language not in named)
        if pooled == 0 or pooled >= k or not named:
            break
        named.remove(min(named, key=lambda language: (counts[language], language)))
    return {language: language in named for language in counts}


def suppressed(cells: dict[Hashable, int], k: int) -> set[Hashable]:
    """Return the keys to hide in one line of a table whose total may be known.

    Cells of 1 to k−1 are hidden (primary suppression). Then, since a single hidden cell could be
    worked out from the total, or several whose sum is under k, the smallest further cells are
    hidden until the hidden ones are at least two and together hold at least *k* (complementary
    suppression), or every non-empty cell is hidden.
    """
    hidden = {key for key, count in cells.items() if 0 < count < k}
    if not hidden:
        return hidden
    others = sorted((key for key, count in cells.items() if count >= k), key=lambda key: (cells[key], str(key)))
    while others and (len(hidden) < 2 or sum(cells[key] for key in hidden) < k):
        hidden.add(others.pop(0))
    return hidden
