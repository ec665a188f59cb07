"""Server-drawn line charts: well-formed SVG, gaps where a value is missing, reference levels and
the start marker drawn, negative values below a zero line, every text escaped."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from saferschools.lib.charts import Reference, Series, line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides):
    values = {
        "title": "Persistent absence",
        "description": "The partnership's schools and their comparison schools, by year.",
        "labels": ["2022/23", "2023/24", "2024/25", "2025/26"],
        "series": [
            Series("Partnership", [Decimal("21.5"), 20, 19.25, 15]),
            Series("Comparison", [20, 20.5, 19, 19]),
        ],
        "chart_id": "chart-absence",
    }
    values.update(overrides)
    return ET.fromstring(line_chart_svg(**values))  # noqa: S314 - drawn here


def lines(root):
    return list(root.iter(f"{SVG}polyline"))


def texts(root):
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_one_line_per_series_through_every_point():
    root = chart()
    assert [len(line.get("points", "").split()) for line in lines(root)] == [4, 4]
    assert len(list(root.iter(f"{SVG}circle"))) == 8
    assert root.find(f"{SVG}title").text == "Persistent absence"


def test_a_missing_value_breaks_the_line_rather_than_joining_across_it():
    root = chart(series=[Series("Partnership", [10, None, 12, 13])])
    # The lone first point is a dot; the line runs only where neighbours both have values.
    assert [len(line.get("points", "").split()) for line in lines(root)] == [2]
    assert len(list(root.iter(f"{SVG}circle"))) == 3


def test_higher_values_are_drawn_higher():
    root = chart(series=[Series("Partnership", [1, 2, 3, 4])])
    ys = [float(circle.get("cy")) for circle in root.iter(f"{SVG}circle")]
    assert ys == sorted(ys, reverse=True)


def test_references_and_the_start_marker_are_drawn_and_named():
    root = chart(
        references=[Reference("Baseline", 21), Reference("Target", 16)],
        marker=3,
        marker_label="Partnership began",
    )
    words = texts(root)
    assert "Baseline 21" in words and "Target 16" in words
    assert "Partnership began" in words
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 3


def test_negative_values_get_a_zero_line_and_a_negative_axis():
    root = chart(series=[Series("Progress 8", [-0.4, -0.1, 0.2, 0.3])])
    assert "-0.5" in texts(root)
    zero = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "1"]
    assert zero


def test_text_is_escaped():
    root = chart(title="<script>", labels=["<b>", "2", "3", "4"])
    assert root.find(f"{SVG}title").text == "<script>"
    assert "<b>" in texts(root)


def test_a_single_period_or_no_values_still_draws():
    assert chart(labels=["2025/26"], series=[Series("Partnership", [5])]) is not None
    assert chart(series=[Series("Partnership", [None] * 4)]) is not None


def test_many_periods_label_at_most_about_eight():
    labels = [f"2026-{month:02d}" for month in range(1, 13)] * 3
    root = chart(labels=labels, series=[Series("Reports", list(range(36)))])
    assert len([t for t in texts(root) if t.startswith("2026-")]) <= 10


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        chart(series=[Series("Partnership", [1, 2])])


def test_the_end_labels_run_inwards_and_the_marker_label_has_room():
    root = chart(marker=3, marker_label="Partnership began")
    period_labels = [t for t in root.iter(f"{SVG}text") if (t.text or "").startswith("20")]
    anchors = [t.get("text-anchor") for t in period_labels]
    assert anchors[0] == "start" and anchors[-1] == "end"
    began = next(t for t in root.iter(f"{SVG}text") if t.text == "Partnership began")
    assert began.get("text-anchor") == "end"
