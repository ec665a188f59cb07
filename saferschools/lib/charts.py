"""Charts drawn on the server as SVG, so that the same chart serves a page and a PDF.

Every chart has a text title and description for screen readers, and is meant to sit beside a
table of the same figures. Colours are set with presentation attributes (not style), so the
pages' Content-Security-Policy holds.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

# GOV.UK colours: dark blue for the period shown, mid grey for the one before it.
SERIES_COLOURS = ("#1d70b8", "#b1b4b6", "#00703c", "#d4351c")
TEXT = "#0b0c0c"
# The page's own font where a style sheet gives it (``.app-chart``); this where none does.
FONT = "arial, sans-serif"


Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]  # None: not shown (suppressed); a count, a rate or a score


def _nice_ceiling(value: Number) -> Number:
    """A round number at or above ``value`` for the axis: … 0.1, 0.2, 0.5, 1, 2, 5, 10, 20 …"""
    if value <= 0:
        return 1
    target = Decimal(str(value))
    step = Decimal(1)
    while step > target:
        step /= 10
    while True:
        for factor in (1, 2, 5):
            if step * factor >= target:
                ceiling = step * factor
                return int(ceiling) if ceiling == int(ceiling) else ceiling
        step *= 10


def _shown(value: Number) -> str:
    """A bar's value as written beside it: whole numbers as they are, others to one place."""
    if isinstance(value, int) or value == int(value):
        return str(int(value))
    return str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


LABEL_MAX_CHARACTERS = 26


def _short(label: str) -> str:
    """A label that fits beside the bars; the table beside the chart gives it in full."""
    if len(label) <= LABEL_MAX_CHARACTERS:
        return label
    cut = label[: LABEL_MAX_CHARACTERS - 1]
    # At the end of a word, where one ends far enough along.
    space = cut.rfind(" ")
    if space > LABEL_MAX_CHARACTERS // 2:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"


def bar_chart_svg(
    *,
    title: str,
    description: str,
    labels: list[str],
    series: list[Series],
    chart_id: str,
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one group per label and one bar per series, with a legend and the
    value at the end of each bar ("not shown" where a value is suppressed).

    Every text is escaped; a long label is shortened with an ellipsis (the table beside the
    chart has it in full). Each series has one value per label.
    """
    if any(len(one.values) != len(labels) for one in series):
        raise ValueError("Each series needs one value per label")
    chart_id = escape(chart_id)
    label_width = 190
    bar_height = 14
    gap = 10
    group_height = bar_height * len(series) + gap
    legend_height = 24
    top = legend_height + 8
    height = top + group_height * len(labels) + 24
    values = [v for s in series for v in s.values if v is not None]
    axis_max = _nice_ceiling(max(values, default=0))
    plot_width = width - label_width - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" font-family="{FONT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    x = label_width
    for index, one in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 18}" y="16" font-size="13" fill="{TEXT}">{escape(one.name)}</text>'
        )
        x += 30 + 8 * len(one.name)
    for row, label in enumerate(labels):
        y = top + row * group_height
        parts.append(
            f'<text x="{label_width - 8}" y="{y + group_height / 2}" font-size="13" '
            f'text-anchor="end" dominant-baseline="middle" fill="{TEXT}">{escape(_short(label))}</text>'
        )
        for index, one in enumerate(series):
            value = one.values[row]
            bar_y = y + index * bar_height
            length = 0.0 if value is None else plot_width * max(float(value), 0) / float(axis_max)
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{label_width}" y="{bar_y}" width="{length:.1f}" '
                f'height="{bar_height - 2}" fill="{colour}"/>'
            )
            shown = "not shown" if value is None else _shown(value)
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{bar_y + bar_height / 2}" '
                f'font-size="12" dominant-baseline="middle" fill="{TEXT}">{shown}</text>'
            )
    axis_y = top + group_height * len(labels)
    parts.append(
        f'<line x1="{label_width}" y1="{top - 2}" x2="{label_width}" y2="{axis_y}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Reference:
    """A level drawn across a line chart (a baseline or a target), dashed and named."""

    name: str
    value: Number


def _nice_floor(value: Number) -> Number:
    """A round number at or below ``value``: 0 for anything not negative."""
    if value >= 0:
        return 0
    ceiling = _nice_ceiling(-value)
    return -ceiling


def line_chart_svg(
    *,
    title: str,
    description: str,
    labels: list[str],
    series: list[Series],
    chart_id: str,
    references: Sequence[Reference] = (),
    marker: int | None = None,
    marker_label: str = "",
    width: int = 640,
) -> SafeString:
    """Lines over periods (one point per label, left to right), one line per series, with a
    legend, dashed reference levels (a baseline, a target) and an optional vertical marker
    before the label at index ``marker`` (when a partnership began, say).

    A ``None`` value leaves a gap in its line (suppressed or no figure); the table beside the
    chart says which. Negative values are drawn below a zero line. Every text is escaped.
    """
    if any(len(one.values) != len(labels) for one in series):
        raise ValueError("Each series needs one value per label")
    chart_id = escape(chart_id)
    left, right, top, bottom = 56, 24, 34, 40
    height = 260
    plot_width = width - left - right
    plot_height = height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    values += [reference.value for reference in references]
    high = _nice_ceiling(max(values, default=0))
    low = _nice_floor(min(values, default=0))
    span = float(high) - float(low) or 1.0

    def x_of(index: int) -> float:
        if len(labels) == 1:
            return left + plot_width / 2
        return left + plot_width * index / (len(labels) - 1)

    def y_of(value: Number) -> float:
        return top + plot_height * (float(high) - float(value)) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" font-family="{FONT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    x = left
    for index, one in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 18}" y="16" font-size="13" fill="{TEXT}">{escape(one.name)}</text>'
        )
        x += 30 + 8 * len(one.name)
    for tick in (high, (float(high) + float(low)) / 2, low):
        y = y_of(tick)
        parts.append(
            f'<text x="{left - 6}" y="{y:.1f}" font-size="12" text-anchor="end" '
            f'dominant-baseline="middle" fill="{TEXT}">{_shown(tick)}</text>'
        )
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="0.5"/>'
        )
    if low < 0:
        parts.append(
            f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{width - right}" y2="{y_of(0):.1f}" '
            f'stroke="{TEXT}" stroke-width="1"/>'
        )
    step = max(1, -(-len(labels) // 8))  # at most eight period labels under the axis
    for index, label in enumerate(labels):
        if index % step == 0 or index == len(labels) - 1:
            # The first and last labels run inwards from the plot's edges, so none is cut off.
            anchor = "middle"
            if len(labels) > 1 and index == 0:
                anchor = "start"
            elif len(labels) > 1 and index == len(labels) - 1:
                anchor = "end"
            parts.append(
                f'<text x="{x_of(index):.1f}" y="{height - bottom + 18}" font-size="12" '
                f'text-anchor="{anchor}" fill="{TEXT}">{escape(_short(label))}</text>'
            )
    if marker is not None and 0 < marker < len(labels):
        mark_x = (x_of(marker - 1) + x_of(marker)) / 2
        parts.append(
            f'<line x1="{mark_x:.1f}" y1="{top}" x2="{mark_x:.1f}" y2="{top + plot_height}" '
            f'stroke="{TEXT}" stroke-width="1" stroke-dasharray="2 3"/>'
        )
        if marker_label:
            # Beside the marker, on whichever side has more room.
            right_half = mark_x > left + plot_width / 2
            label_x, anchor = (mark_x - 4, "end") if right_half else (mark_x + 4, "start")
            parts.append(
                f'<text x="{label_x:.1f}" y="{top + 12}" font-size="12" text-anchor="{anchor}" '
                f'fill="{TEXT}">{escape(marker_label)}</text>'
            )
    for reference in references:
        y = y_of(reference.value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#505a5f" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{width - right}" y="{y - 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{TEXT}">{escape(reference.name)} {_shown(reference.value)}</text>'
        )
    for index, one in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        run: list[str] = []
        for point, value in enumerate([*one.values, None]):
            if value is not None:
                run.append(f"{x_of(point):.1f},{y_of(value):.1f}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"/>'
                )
            run = []
        for point, value in enumerate(one.values):
            if value is not None:
                parts.append(
                    f'<circle cx="{x_of(point):.1f}" cy="{y_of(value):.1f}" r="3.5" '
                    f'fill="{colour}"/>'
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
