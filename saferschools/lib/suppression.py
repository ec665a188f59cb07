"""Small counts left out of figures shown to those who may not see personal data.

A count from 1 to ``SUPPRESS_BELOW - 1`` can point to a child, so it is not shown to a viewer
without access to the records behind it; nor is any count from which a hidden one could be
worked out by adding or taking away the counts shown (complementary suppression).
"""

from collections.abc import Hashable
from decimal import Decimal

SUPPRESS_BELOW = 5


def is_small(count: int | Decimal) -> bool:
    """Whether a count is small enough to point to a child: from 1 to ``SUPPRESS_BELOW - 1``.
    Nought is never small: it points to nobody."""
    return 0 < count < SUPPRESS_BELOW


def suppressed_cells(
    cells: dict[Hashable, int], relations: list[tuple[Hashable, list[Hashable]]]
) -> set[Hashable]:
    """Which cells to leave out for a viewer who may not see small counts.

    ``cells`` are counts in a fixed order; each relation says that a cell (a total) is the sum
    of others (its parts), as a total of all incidents is the sum of the counts by weekday.
    Counts from 1 to 4 are left out. Then, for as long as one relation gives one away, another
    cell of it is left out too: when a single cell of a relation is left out, it is the total
    less the rest (or the sum of its parts); when the parts left out are all small and the
    total shows that they are all 1 or all 4, each of them is known. The cell added is the
    smallest other part above zero (the first of equals), else the total.

    A cell the viewer can work out but is never shown (the difference between a total and the
    parts that are shown, say) belongs in ``cells`` too, with the relation that defines it: if
    it is small, the cells it is worked out from are left out.
    """
    return suppressed_cells_settled(cells, relations, {})


class SuppressionStuck(ValueError):
    """A relation would give a small count away, and every cell that could be left out to
    stop it has had its fate settled beforehand."""


def suppressed_cells_settled(
    cells: dict[Hashable, int],
    relations: list[tuple[Hashable, list[Hashable]]],
    settled: dict[Hashable, bool],
) -> set[Hashable]:
    """As ``suppressed_cells``, where some cells were decided beforehand, at another level.

    A school's counts are decided over its own periods first; then a partnership's total is
    checked against them, and then the area's total against the partnerships'. Decided first,
    the lower level's cells are the same on every page that shows them, whatever is checked
    against them later: protecting a total never hides a school's count that another page
    shows. ``settled`` maps such a cell to whether it is left out (``True``) or shown
    (``False``); it is never left out to protect another.

    When a relation gives a cell away, the cell added is the smallest other unsettled part
    above zero (the first of equals), else the total if unsettled, else every unsettled part
    at nought (the viewer then cannot tell how many parts the hidden count is spread over).
    Raises ``SuppressionStuck`` when none of these is left.
    """
    order = {key: index for index, key in enumerate(cells)}
    hidden = {key for key, left_out in settled.items() if left_out}
    hidden |= {key for key, count in cells.items() if key not in settled and is_small(count)}
    most = SUPPRESS_BELOW - 1
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            unknown = [key for key in (total, *parts) if key in hidden]
            if not unknown:
                continue
            given_away = len(unknown) == 1
            if (
                not given_away
                and total not in hidden
                and all(is_small(cells[key]) for key in unknown)
            ):
                left_out = sum(cells[key] for key in unknown)
                given_away = left_out in (len(unknown), most * len(unknown))
            if not given_away:
                continue
            free = [key for key in parts if key not in hidden and key not in settled]
            others = sorted((cells[key], order[key], key) for key in free if cells[key] > 0)
            if others:
                hidden.add(others[0][2])
            elif total not in hidden and total not in settled:
                hidden.add(total)
            elif free:
                hidden.update(free)
            else:
                raise SuppressionStuck(f"Nothing left to leave out to protect {total!r}")
            changed = True
    return hidden
