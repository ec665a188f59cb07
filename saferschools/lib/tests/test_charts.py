"""Server-drawn bar charts: well-formed SVG, every text escaped, left-out values said, and no
data drawn as an empty chart rather than an error."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from saferschools.lib.charts import Series, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides):
    values = {
        "title": "Incidents by place",
        "description": "This period and the one before.",
        "labels": ["Bike sheds", "Playing field"],
        "series": [Series("This period", [6, 2]), Series("Previous period", [3, 0])],
        "chart_id": "chart-places",
    }
    values.update(overrides)
    return bar_chart_svg(**values)


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the charts drawn here, not what someone sent


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def bar_widths(root: ET.Element) -> list[float]:
    # The legend's swatches are 12 wide at y=6; the bars are the other rectangles.
    return [
        float(rect.get("width", "0")) for rect in root.iter(f"{SVG}rect") if rect.get("y") != "6"
    ]


def test_a_chart_is_titled_and_described_for_screen_readers():
    root = parsed(chart())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-places-title chart-places-desc"
    assert root.find(f"{SVG}title").text == "Incidents by place"
    assert root.find(f"{SVG}title").get("id") == "chart-places-title"
    assert root.find(f"{SVG}desc").text == "This period and the one before."
    assert "style" not in chart()
    assert {"Bike sheds", "Playing field", "This period", "Previous period"} <= set(texts(root))


def test_bars_are_in_proportion_to_their_values():
    widths = bar_widths(parsed(chart()))
    # Bike sheds: 6 and 3; playing field: 2 and 0. The axis runs to 10.
    assert len(widths) == 4
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[0] == pytest.approx(3 * widths[2])
    assert widths[3] == 0
    assert [t for t in texts(parsed(chart())) if t.isdigit()] == ["6", "3", "2", "0"]


def test_every_text_is_escaped():
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    svg = chart(
        title=nasty,
        description=nasty,
        labels=[nasty, "Fine"],
        series=[Series(nasty, [1, 2])],
        chart_id='x" onload="alert(1)',
    )
    assert "<script>" not in svg
    assert 'onload="alert(1)"' not in svg
    root = parsed(svg)  # still well-formed
    assert root.find(f"{SVG}title").text == nasty
    assert nasty in texts(root)  # the legend: a short name is kept whole
    assert all(not element.tag.endswith("script") for element in root.iter())


def test_a_long_label_is_shortened_with_an_ellipsis():
    long = "The path behind the sports hall by the staff car park"
    root = parsed(chart(labels=[long, "Gate"]))
    shortened = [t for t in texts(root) if t.startswith("The path")]
    assert shortened == ["The path behind the\u2026"]


def test_values_left_out_are_said_and_not_drawn():
    root = parsed(
        chart(series=[Series("This period", [None, 7]), Series("Previous period", [5, None])])
    )
    assert texts(root).count("not shown") == 2
    widths = bar_widths(root)
    assert widths[0] == 0 and widths[3] == 0
    assert widths[1] > 0 and widths[2] > 0


def test_no_data_draws_an_empty_chart():
    root = parsed(chart(series=[Series("This period", [0, 0]), Series("Previous period", [0, 0])]))
    assert bar_widths(root) == [0, 0, 0, 0]
    root = parsed(chart(labels=[], series=[Series("This period", [])]))
    assert root.get("viewBox").startswith("0 0 640 ")
    assert bar_widths(root) == []


def test_every_series_has_a_value_per_label():
    with pytest.raises(ValueError, match="one value per label"):
        chart(series=[Series("This period", [1])])


def test_the_axis_rounds_up_to_a_round_number():
    root = parsed(chart(series=[Series("This period", [13, 20])]))
    widths = bar_widths(root)
    # The axis runs to 20: the longer bar fills it, the shorter is 13/20 of it.
    assert widths[0] / widths[1] == pytest.approx(13 / 20)
    assert re.search(r'width="(\d+\.\d)"', chart()) is not None


def test_rates_are_drawn_in_proportion_and_written_to_one_place():
    root = parsed(chart(series=[Series("This period", [Decimal("0.25"), 0.4])]))
    widths = bar_widths(root)
    # The axis runs to 0.5.
    assert widths[0] / widths[1] == pytest.approx(0.25 / 0.4)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "0.3" in texts and "0.4" in texts


def test_a_whole_number_given_as_a_decimal_is_written_whole():
    root = parsed(chart(series=[Series("This period", [Decimal("12.0"), 3])]))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "12" in texts and "3" in texts
