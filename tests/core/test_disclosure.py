"""The disclosure rules on their own: blocks of at least k, named languages, suppressed cells.

The property that matters is checked over many generated data sets: whatever two selections of
whole blocks a reader makes, their difference holds no one, or at least k people.
"""

import random
from datetime import date, timedelta

import pytest

from lms.core.disclosure import blocks, language_groups, suppressed

TODAY = date(2026, 12, 3)
K = 5


def _data(seed: int) -> list[tuple[str, date, str, int]]:
    """Answers of a few countries over five months, in small and uneven numbers, as trainings bring them."""
    rng = random.Random(seed)
    rows = []
    for country in ("IT", "AT", "SI"):
        for _ in range(rng.randint(0, 40)):
            day = TODAY - timedelta(days=rng.randint(0, 150))
            rows.append((country, day, rng.choice(["it", "en", "de", "sl"]), 1))
    return rows


def test_blocks_hold_at_least_k_and_only_days_that_are_over():
    rows = [("IT", TODAY - timedelta(days=d), "it", 1) for d in (9, 8, 8, 7, 3, 2, 1, 0, 0)]

    found = blocks(rows, K, TODAY)

    assert [(block.first, block.last, block.count) for block in found] == [
        (TODAY - timedelta(days=9), TODAY - timedelta(days=3), 5)
    ]  # then 2 + 1 wait for more; today's 2 wait for tomorrow


def test_a_complete_block_never_changes_as_answers_arrive():
    rows = [("IT", TODAY - timedelta(days=d), "it", 1) for d in (20, 19, 18, 17, 16, 15)]
    before = blocks(rows, K, TODAY)

    after = blocks(rows + [("IT", TODAY - timedelta(days=1), "it", 1)] * 3, K, TODAY + timedelta(days=1))

    assert after[: len(before)] == before


@pytest.mark.parametrize("seed", range(60))
def test_no_difference_of_two_selections_of_blocks_holds_1_to_k_minus_1_people(seed):
    rng = random.Random(seed)
    found = blocks(_data(seed), K, TODAY)
    for _ in range(20):
        first, second = (
            {block for block in found if rng.random() < 0.5 and block.group in rng.sample(["IT", "AT", "SI"], 2)}
            for _ in range(2)
        )
        for country in ("IT", "AT", "SI"):
            difference = sum(block.count for block in first ^ second if block.group == country)
            assert difference == 0 or difference >= K


@pytest.mark.parametrize(
    ("counts", "named"),
    [
        ({"it": 9, "en": 1}, set()),  # naming Italian would leave the one English answer by subtraction
        ({"it": 9, "en": 5}, {"it", "en"}),
        ({"it": 9, "de": 6, "en": 2}, {"it"}),  # German joins English in "other languages": 8
        ({"it": 9, "de": 3, "en": 2}, {"it"}),  # "other languages" holds 5
        ({"sl": 4}, set()),
    ],
)
def test_a_language_is_named_only_where_it_and_what_is_left_are_0_or_at_least_k(counts, named):
    result = language_groups(counts, K)

    assert {language for language, own in result.items() if own} == named
    pooled = sum(count for language, count in counts.items() if not result[language])
    assert pooled == 0 or pooled >= K or not named


@pytest.mark.parametrize(
    ("cells", "hidden"),
    [
        ({"A": 8, "B": 6}, set()),
        ({"A": 8, "B": 3}, {"A", "B"}),  # B alone would be the line's total minus A
        ({"A": 8, "B": 3, "C": 6}, {"B", "C"}),  # two hidden cells holding 9: neither can be worked out
        ({"A": 2, "B": 4}, {"A", "B"}),
        ({"A": 0, "B": 7}, set()),
    ],
)
def test_suppression_hides_small_cells_and_enough_others_that_none_can_be_subtracted(cells, hidden):
    assert suppressed(cells, K) == hidden
