"""The demo area's stage 4: indicator history for the partnership's schools and the area's
others, two survey rounds, an evaluation and last year's annual report."""

from saferschools.core.models import Partnership, School


def demo_outcomes(*, partnership: Partnership, secondary: School, primaries: list[School]) -> None:
    """Placeholder: filled in by its owner."""
