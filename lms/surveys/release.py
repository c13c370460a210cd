"""What of a survey's answers a reader may see: the disclosure rules applied to one survey, for one view.

Every figure, list and export of a survey is computed through a `Release`: the results page, the
dashboards, the written answers, the exports and the funnel. For an anonymous survey it selects
only whole blocks of at least k answers per country (see `lms.core.disclosure`), the same for
every reader, admins included; a reader's countries and filters choose among those blocks and can
never cut one. An identified survey has no blocks: its readers see every answer in their countries.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.sql import ColumnElement

from lms.core.disclosure import Block, blocks, minimum_group
from lms.core.time import utcnow
from lms.extensions import db
from lms.surveys.models import Response, Survey

#: How a response's language reads where it is not a group of at least k in its block.
OTHER_LANGUAGES = "other"


@dataclass(frozen=True)
class View:
    """What a reader asks to see: countries (None for all they may see), whole months, a language."""

    countries: frozenset[str | None] | None = None
    #: The first day of the first month, and the first day after the last month.
    start: date | None = None
    end: date | None = None
    language: str | None = None

    def __post_init__(self):
        if self.countries is not None:
            object.__setattr__(self, "countries", frozenset(self.countries))


@dataclass
class Release:
    """The answers of one survey that one view may show, as an SQL condition and the blocks behind it."""

    survey_id: int
    anonymous: bool
    view: View
    #: Anonymous surveys: every complete block of the survey, in time order per country.
    all_blocks: list[Block] = field(default_factory=list)
    #: Identified surveys: responses per country when they were counted already, with others'.
    counted: dict[str | None, int] | None = None

    @cached_property
    def blocks(self) -> list[Block]:
        """The blocks this view shows: in its countries, complete within its months, naming its language."""
        view = self.view
        return [
            block
            for block in self.all_blocks
            if (view.countries is None or block.group in view.countries)
            and (view.start is None or block.last >= view.start)
            and (view.end is None or block.last < view.end)
            and (view.language is None or view.language in block.named_languages)
        ]

    @cached_property
    def _index(self) -> dict[str | None, list[Block]]:
        index: dict[str | None, list[Block]] = {}
        for block in self.all_blocks:
            index.setdefault(block.group, []).append(block)
        return index

    def where(self, table) -> ColumnElement[bool]:
        """Return the condition that selects the shown rows of *table* (Response or Answer)."""
        view = self.view
        if not self.anonymous:
            conditions = [table.survey_id == self.survey_id]
            if view.countries is not None:
                conditions.append(_country_in(table, view.countries))
            if view.start:
                conditions.append(table.submitted_on >= view.start)
            if view.end:
                conditions.append(table.submitted_on < view.end)
            if view.language:
                conditions.append(table.language == view.language)
            return and_(*conditions)
        ranges = [
            and_(_country_in(table, {country}), table.submitted_on.between(first, last))
            for country, first, last in self._ranges()
        ]
        if not ranges:
            return false()
        language = table.language == view.language if view.language else true()
        return and_(table.survey_id == self.survey_id, or_(*ranges), language)

    def _ranges(self) -> Iterable[tuple[str | None, date, date]]:
        """Merge the shown blocks that follow each other in a country into one range of days."""
        shown = set(self.blocks)
        for country, country_blocks in self._index.items():
            start = None
            for block in country_blocks + [None]:
                if block is not None and block in shown:
                    start = start or block
                    last = block
                elif start is not None:
                    yield country, start.first, last.last
                    start = None

    @cached_property
    def by_country(self) -> dict[str | None, int]:
        """Responses shown per country."""
        if self.counted is not None:
            return self.counted
        if self.anonymous and not self.view.language:
            counts: dict[str | None, int] = {}
            for block in self.blocks:
                counts[block.group] = counts.get(block.group, 0) + block.count
            return counts
        query = select(Response.country, func.count()).where(self.where(Response)).group_by(Response.country)
        return dict(db.session.execute(query).all())

    @property
    def total(self) -> int:
        return sum(self.by_country.values())

    def by_month(self) -> dict[tuple[int, int, str | None], int]:
        """Responses shown per (year, month, country); an anonymous block counts in the month it was complete."""
        if not self.anonymous:
            year, month = func.extract("year", Response.submitted_on), func.extract("month", Response.submitted_on)
            query = (
                select(year, month, Response.country, func.count())
                .where(self.where(Response))
                .group_by(year, month, Response.country)
            )
            return {(int(y), int(m), country): count for y, m, country, count in db.session.execute(query)}
        counts: dict[tuple[int, int, str | None], int] = {}
        for block in self.blocks:
            key = (*block.month, block.group)
            counts[key] = counts.get(key, 0) + block.count
        return counts

    def block_of(self, country: str | None, day: date) -> Block | None:
        """Return the block that holds a response of *country* from *day* (anonymous surveys)."""
        return next((block for block in self._index.get(country, []) if block.first <= day <= block.last), None)

    def language_label(self, country: str | None, day: date, language: str) -> str:
        """Return *language*, or OTHER_LANGUAGES where too few answered in it to name it."""
        if not self.anonymous:
            return language
        block = self.block_of(country, day)
        return language if block is not None and language in block.named_languages else OTHER_LANGUAGES


def _country_in(table, countries: set[str | None] | frozenset[str | None]) -> ColumnElement[bool]:
    named = [country for country in countries if country is not None]
    conditions = [table.country.in_(named)] if named else []
    if None in countries:
        conditions.append(table.country.is_(None))
    return or_(*conditions) if conditions else false()


def _count_query(survey_ids):
    return (
        select(Response.survey_id, Response.country, Response.submitted_on, Response.language, func.count())
        .where(Response.survey_id.in_(survey_ids))
        .group_by(Response.survey_id, Response.country, Response.submitted_on, Response.language)
    )


def shown_totals(surveys: list[Survey], view: View) -> dict[int, int]:
    """Return how many responses of each survey *view* may see, in one query for them all."""
    rows: dict[int, list] = {survey.id: [] for survey in surveys}
    for survey_id, *row in db.session.execute(_count_query(list(rows))):
        rows[survey_id].append(row)
    return {survey.id: _release(survey, view, rows[survey.id]).total for survey in surveys}


def _release(survey: Survey, view: View, counts) -> Release:
    if not survey.anonymous:
        counted: dict[str | None, int] = {}
        for country, _day, _language, count in counts:
            if view.countries is None or country in view.countries:
                counted[country] = counted.get(country, 0) + count
        return Release(survey.id, False, view, counted=counted)
    return Release(survey.id, True, view, blocks(counts, minimum_group(), today=utcnow().date()))


def release(survey: Survey, view: View | None = None) -> Release:
    """Return what *view* may see of *survey*'s answers."""
    view = view or View()
    if not survey.anonymous:
        return Release(survey.id, False, view)
    return _release(survey, view, [row[1:] for row in db.session.execute(_count_query([survey.id]))])
