"""The annual report as a document: its figures with their charts and a sentence saying what
each shows, and the written sections rendered from markdown. The web page and the PDF (from the
page, the API and ``manage.py annual_report``) are made from the same context, so they show the
same charts and the same figures.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from saferschools.core.models import Partnership
from saferschools.lib.charts import Reference, Series, bar_chart_svg, line_chart_svg
from saferschools.lib.markdown import markdown_render
from saferschools.lib.pdf import pdf_render

from .annual_report import (
    FEWER_THAN,
    NOT_SHOWN,
    AnnualReportFigures,
    Count,
    IndicatorRow,
    Labelled,
    annual_report_figures,
)

PDF_TEMPLATE = "outcomes/annual_report_pdf.html"

# The report's parts, in order, for its contents list: (anchor, heading).
CONTENTS = (
    ("summary", "Summary"),
    ("partners", "Partners and governance"),
    ("activity", "The officers' activity"),
    ("reports-incidents", "Pupils' reports and incidents"),
    ("casework", "Casework and information sharing"),
    ("workplan", "The work-plan"),
    ("indicators", "Indicators against baseline and target"),
    ("evaluation", "Evaluation"),
    ("successes", "Successes"),
    ("case-studies", "Case studies"),
    ("further-work", "Areas for further work"),
    ("business-plan", "Business plan"),
)


@dataclass(frozen=True)
class Chart:
    """A chart and the sentence saying what it shows; ``svg`` is ``None`` when there is nothing
    to draw (the sentence says so)."""

    svg: SafeString | None
    summary: str


@dataclass(frozen=True)
class IndicatorChart:
    row: IndicatorRow
    chart: Chart | None


def _number(count: Count) -> int | None:
    return count.value


def phrase(count: Count, noun: str) -> str:
    """A count with its noun, as a sentence says it: "12 incidents", "fewer than 5 incidents",
    "a number not shown of incidents"."""
    if count.value is None and count.text == NOT_SHOWN:
        return f"a number not shown of {noun}"
    return f"{count.text} {noun}"


def _hours(value: Decimal) -> str:
    return f"{value} hour{'' if value == 1 else 's'}"


def _listing(items: list[Labelled]) -> tuple[list[str], list[int | None]]:
    return [item.label for item in items], [_number(item.count) for item in items]


def _most(items: list[Labelled], noun: str) -> str:
    """A sentence naming the category with most in it, among those shown."""
    shown = [item for item in items if item.count.value is not None]
    if not items:
        return f"No {noun} were recorded."
    if not shown:
        return f"Each category of {noun} held {FEWER_THAN}, or is not shown."
    top = max(shown, key=lambda item: item.count.value or 0)
    return (
        f"Of the categories shown, most {noun} were about {top.label.lower()} ({top.count.text})."
    )


def _activity_chart(figures: AnnualReportFigures) -> Chart:
    activity = figures.activity
    rows = [row for row in activity.by_kind if row.hours]
    if not rows:
        return Chart(None, "The officers logged no time at the partnership's schools.")
    busiest = max(rows, key=lambda row: row.hours)
    summary = (
        f"The officers logged {_hours(activity.hours)}, most of it on "
        f"{busiest.label.lower()} ({_hours(busiest.hours)})."
    )
    svg = bar_chart_svg(
        title="Officers' hours by kind of activity",
        description=summary,
        labels=[row.label for row in rows],
        series=[Series("Hours", [row.hours for row in rows])],
        chart_id="chart-activity",
    )
    return Chart(svg, summary)


def _patrols_chart(figures: AnnualReportFigures) -> Chart:
    activity = figures.activity
    logged = f"the officers logged {activity.patrols_logged} in all"
    if not activity.patrols_planned:
        return Chart(None, f"No patrols were planned; {logged}.")
    share = round(100 * activity.patrols_done / activity.patrols_planned)
    summary = (
        f"The officers' plans scheduled {activity.patrols_planned} patrols, of which "
        f"{activity.patrols_done} ({share}%) were done; {logged}."
    )
    svg = bar_chart_svg(
        title="Patrols planned, done and logged",
        description=summary,
        labels=["Patrols"],
        series=[
            Series("Planned", [activity.patrols_planned]),
            Series("Done", [activity.patrols_done]),
            Series("Logged in all", [activity.patrols_logged]),
        ],
        chart_id="chart-patrols",
    )
    return Chart(svg, summary)


def _trend_chart(figures: AnnualReportFigures) -> Chart:
    trend = figures.reports_and_incidents
    months = trend.months
    if trend.reports.value == 0 and trend.incidents.value == 0:
        return Chart(None, "The partnership's schools received no report and recorded no incident.")
    summary = (
        f"Over the year the partnership's schools received {phrase(trend.reports, 'reports')} "
        f"from pupils and recorded {phrase(trend.incidents, 'incidents')}; a month with "
        f"{FEWER_THAN}, or one that would give such a month away, is a gap in its line."
    )
    svg = line_chart_svg(
        title="Pupils' reports and incidents by month",
        description=summary,
        labels=[f"{month.label[:3]} {month.month[2:4]}" for month in months],
        series=[
            Series("Reports", [_number(month.reports) for month in months]),
            Series("Incidents", [_number(month.incidents) for month in months]),
        ],
        chart_id="chart-trend",
    )
    return Chart(svg, summary)


def _categories_chart(items: list[Labelled], noun: str, chart_id: str, title: str) -> Chart:
    summary = _most(items, noun)
    if not items:
        return Chart(None, summary)
    labels, values = _listing(items)
    svg = bar_chart_svg(
        title=title,
        description=summary,
        labels=labels,
        series=[Series(noun.capitalize(), values)],
        chart_id=chart_id,
    )
    return Chart(svg, summary)


def _hotspots_chart(figures: AnnualReportFigures) -> Chart:
    hotspots = figures.reports_and_incidents.hotspots
    if not hotspots:
        return Chart(None, "No incident was recorded at a named place.")
    shown = [spot for spot in hotspots if spot.count.value is not None]
    if shown:
        top = shown[0]
        summary = f"Of the places shown, most incidents happened at {top.place} ({top.count.text})."
    else:
        summary = f"Each place had {FEWER_THAN} incidents, or its count is not shown."
    svg = bar_chart_svg(
        title="Places with most incidents",
        description=summary,
        labels=[spot.place for spot in hotspots],
        series=[Series("Incidents", [_number(spot.count) for spot in hotspots])],
        chart_id="chart-hotspots",
    )
    return Chart(svg, summary)


def _referrals_chart(figures: AnnualReportFigures) -> Chart:
    group = next(
        group
        for group in figures.casework.groups
        if any(c.key == "referrals" for c in group.counts)
    )
    statuses = [item for item in group.counts if item.key != "referrals"]
    total = next(item for item in group.counts if item.key == "referrals")
    if total.count.value == 0:
        return Chart(None, "No referral was made to another service.")
    made = phrase(total.count, "referrals")
    summary = f"{made[0].upper()}{made[1:]} were made to other services, by their status now."
    labels, values = _listing(statuses)
    svg = bar_chart_svg(
        title="Referrals by their status now",
        description=summary,
        labels=labels,
        series=[Series("Referrals", values)],
        chart_id="chart-referrals",
    )
    return Chart(svg, summary)


def indicator_sentence(row: IndicatorRow) -> str:
    """Where the target stands, giving no figure the report leaves out."""
    start = (
        f"From {row.baseline_text} on {date_format(row.baseline_on, 'j F Y')} towards "
        f"{row.target_text} by {date_format(row.target_on, 'j F Y')}"
    )
    current = row.current
    if current is None:
        now = "there is no figure since the baseline"
    elif current.value is None:
        now = f"the latest figure ({current.period}) is {current.text}"
    else:
        now = f"the latest figure is {current.text} ({current.period})"
    return f"{start}, {now}: {row.status_label.lower()}."


# How each source's figures run: by school month, published year or survey term.
SERIES_TITLES = {
    "computed": "by school month",
    "imported": "by published year",
    "surveyed": "by survey term",
}


def _indicator_chart(row: IndicatorRow, index: int) -> Chart | None:
    if not any(point.value is not None for point in row.points):
        return None
    summary = indicator_sentence(row)
    return Chart(
        line_chart_svg(
            title=f"{row.name}, {SERIES_TITLES.get(row.source, 'by period')}",
            description=summary,
            labels=[point.period for point in row.points],
            series=[Series("The partnership's schools", [point.value for point in row.points])],
            references=[Reference("Baseline", row.baseline), Reference("Target", row.target_value)],
            chart_id=f"chart-indicator-{index}",
        ),
        summary,
    )


def report_context(
    *, partnership: Partnership, year: int, today: date | None = None
) -> dict[str, Any]:
    """Everything the page and the PDF show: the figures, each chart with its sentence, and the
    written sections rendered (markdown, made safe)."""
    figures = annual_report_figures(partnership=partnership, year=year, today=today)
    trend = figures.reports_and_incidents
    written = figures.written
    return {
        "partnership": partnership,
        "figures": figures,
        "contents": CONTENTS,
        "fewer_than": FEWER_THAN,
        "not_shown": NOT_SHOWN,
        "charts": {
            "activity": _activity_chart(figures),
            "patrols": _patrols_chart(figures),
            "trend": _trend_chart(figures),
            "report_categories": _categories_chart(
                trend.report_categories,
                "reports",
                "chart-report-categories",
                "Pupils' reports by category",
            ),
            "incident_categories": _categories_chart(
                trend.incident_categories,
                "incidents",
                "chart-incident-categories",
                "Incidents by category",
            ),
            "hotspots": _hotspots_chart(figures),
            "referrals": _referrals_chart(figures),
        },
        "indicators": [
            IndicatorChart(row, _indicator_chart(row, index))
            for index, row in enumerate(figures.indicators, start=1)
        ],
        "written": {
            name: markdown_render(getattr(written, name)) if getattr(written, name) else ""
            for name in (
                "summary",
                "successes",
                "case_studies",
                "further_work",
                "priorities",
                "resources",
            )
        },
        "printed_at": timezone.localtime(),
    }


def report_pdf(*, partnership: Partnership, year: int, today: date | None = None) -> bytes:
    """The report as a PDF, with the same charts and figures as the page."""
    return pdf_render(
        template=PDF_TEMPLATE,
        context=report_context(partnership=partnership, year=year, today=today),
    )


def pdf_filename(partnership: Partnership, year: int) -> str:
    """A file name for the PDF: the partnership's name made safe, and the year."""
    stem = "".join(c if c.isascii() and c.isalnum() else "-" for c in partnership.name.lower())
    stem = "-".join(part for part in stem.split("-") if part) or "partnership"
    return f"{stem[:60]}-annual-report-{year}-{(year + 1) % 100:02d}.pdf"
