import pytest

from saferschools.lib.suppression import SUPPRESS_BELOW, is_small, suppressed_cells


@pytest.mark.parametrize(
    ("count", "small"), [(0, False), (1, True), (4, True), (5, False), (120, False)]
)
def test_counts_from_1_to_4_are_small(count, small):
    assert SUPPRESS_BELOW == 5
    assert is_small(count) is small


@pytest.mark.parametrize(
    ("cells", "relations", "hidden"),
    [
        # A single small part: the smallest other part is hidden with it.
        ({"T": 10, "a": 7, "b": 3}, [("T", ["a", "b"])], {"a", "b"}),
        # Two small parts that could be 1 and 3 or 2 and 2: left as they are.
        ({"T": 10, "a": 6, "b": 2, "c": 2}, [("T", ["a", "b", "c"])], {"b", "c"}),
        # Two small parts that can only be 1 and 1 (or 4 and 4): another is hidden.
        ({"T": 8, "a": 6, "b": 1, "c": 1}, [("T", ["a", "b", "c"])], {"a", "b", "c"}),
        ({"T": 14, "a": 6, "b": 4, "c": 4}, [("T", ["a", "b", "c"])], {"a", "b", "c"}),
        # A small total with its one part: both hidden, nothing more.
        ({"T": 3, "a": 3, "b": 0}, [("T", ["a", "b"])], {"T", "a"}),
        # Nothing small: nothing hidden; zero is shown.
        ({"T": 5, "a": 5, "b": 0}, [("T", ["a", "b"])], set()),
        # Hiding in one relation spreads to another that shares the cell.
        (
            {"T": 12, "a": 8, "b": 4, "x": 6, "y": 6},
            [("T", ["a", "b"]), ("a", ["x", "y"])],
            {"a", "b", "x"},
        ),
        # Hiding a part in one relation, where the other relation has no other part above
        # zero to hide with it: its total is hidden.
        (
            {"A": 9, "a": 6, "c": 3, "T": 6, "b": 0},
            [("A", ["a", "c"]), ("T", ["a", "b"])],
            {"c", "a", "T"},
        ),
        # A difference never shown ("rest" = T - a) that is small hides the part it is
        # worked out from.
        ({"T": 9, "a": 7, "rest": 2}, [("T", ["a", "rest"])], {"a", "rest"}),
        # ... or, when that part is nought, the total.
        ({"T": 3, "a": 0, "rest": 3}, [("T", ["a", "rest"])], {"T", "rest"}),
    ],
)
def test_suppressed_cells(cells, relations, hidden):
    assert suppressed_cells(cells, relations) == hidden


def test_no_relation_is_left_with_a_single_cell_hidden():
    cells = {
        ("row", n, key): value
        for n, values in enumerate([(9, 6, 3), (12, 12, 0)])
        for key, value in zip(("T", "a", "b"), values, strict=True)
    }
    cells.update({("all", "T"): 21, ("all", "a"): 18, ("all", "b"): 3})
    relations = [
        ((kind, n, "T"), [(kind, n, "a"), (kind, n, "b")]) for kind, n in [("row", 0), ("row", 1)]
    ]
    relations.append((("all", "T"), [("all", "a"), ("all", "b")]))
    for key in ("T", "a", "b"):
        relations.append((("all", key), [("row", 0, key), ("row", 1, key)]))
    hidden = suppressed_cells(cells, relations)
    for total, parts in relations:
        assert len([cell for cell in (total, *parts) if cell in hidden]) != 1
    assert not any(is_small(value) for key, value in cells.items() if key not in hidden)
