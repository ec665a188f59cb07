"""Forms with a growing list of rows (people at a meeting, actions agreed): how many rows a form
sent has, bounded so that no request can ask for more rows than a form takes."""

from typing import Any


def row_count(data: Any, kind: str, *, default: int, maximum: int) -> int:
    """How many rows of ``kind`` the form has: the ``<kind>_rows`` value sent, from 0 to
    ``maximum``, else ``default`` (for a form not sent yet, or a value that is not a number)."""
    value = data.get(f"{kind}_rows") if data is not None else None
    try:
        count = int(str(value)) if value is not None else default
    except ValueError:
        count = default
    return max(0, min(count, maximum))
