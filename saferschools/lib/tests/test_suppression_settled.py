"""Small counts left out where some cells were decided beforehand, at another level: a
partnership's total checked against its schools' counts, decided school by school first."""

import pytest

from saferschools.lib.suppression import (
    SuppressionStuck,
    suppressed_cells,
    suppressed_cells_settled,
)


def test_with_nothing_settled_it_hides_as_suppressed_cells_does():
    cells = {"T": 12, "a": 8, "b": 4, "x": 6, "y": 6}
    relations = [("T", ["a", "b"]), ("a", ["x", "y"])]

    assert suppressed_cells_settled(cells, relations, {}) == suppressed_cells(cells, relations)


def test_a_settled_part_is_never_hidden_to_protect_another_the_total_is():
    # School b's 3 is hidden at its own level, school a's 7 shown: the partnership's 10 would
    # give b away, and a may not be hidden now, so the total is.
    cells = {"T": 10, "a": 7, "b": 3}

    hidden = suppressed_cells_settled(cells, [("T", ["a", "b"])], {"a": False, "b": True})

    assert hidden == {"T", "b"}


def test_a_part_hidden_at_its_own_level_counts_as_hidden_though_not_small():
    # b is 9, hidden at its own level to protect one of its periods: the total, less a,
    # would give it back.
    cells = {"T": 15, "a": 6, "b": 9}

    hidden = suppressed_cells_settled(cells, [("T", ["a", "b"])], {"a": False, "b": True})

    assert hidden == {"T", "b"}


def test_an_unsettled_part_is_still_preferred_to_the_total():
    cells = {"T": 20, "a": 7, "b": 3, "c": 10}

    hidden = suppressed_cells_settled(cells, [("T", ["a", "b", "c"])], {"b": True, "c": False})

    assert hidden == {"a", "b"}


def test_with_the_total_settled_the_parts_at_nought_are_left_out_too():
    # A breakdown whose total is decided: 4 and 4 of 8 would each be known, so every
    # category, those at nought included, is left out.
    cells = {"T": 8, "a": 4, "b": 4, "c": 0, "d": 0}

    hidden = suppressed_cells_settled(cells, [("T", ["a", "b", "c", "d"])], {"T": False})

    assert hidden == {"a", "b", "c", "d"}


def test_stuck_when_nothing_is_left_to_leave_out():
    cells = {"T": 8, "a": 4, "b": 4}

    with pytest.raises(SuppressionStuck):
        suppressed_cells_settled(cells, [("T", ["a", "b"])], {"T": False})


def test_a_small_settled_cell_shown_stays_shown():
    # A count the viewer sees in full is settled as shown, whatever its size.
    cells = {"T": 12, "a": 2, "b": 10}

    assert suppressed_cells_settled(cells, [("T", ["a", "b"])], {"a": False, "b": False}) == set()
