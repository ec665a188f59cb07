"""Placeholder: filled in by its owner."""

from saferschools.core.models import Partnership, School


def demo_evaluation(
    *, partnership: Partnership, secondary: School, primaries: list[School]
) -> None:
    """Placeholder."""
