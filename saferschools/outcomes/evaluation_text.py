"""An evaluation in words: its figures with their units, the sentence that says what the
estimate means, and the caveats that say how far to trust it.

Caveats are worked out from the data when the evaluation is made, and kept with it, so that
they always describe the figures the estimate rests on.
"""

import math
from dataclasses import dataclass
from datetime import date

from saferschools.lib.suppression import SUPPRESS_BELOW

from .did import DidResult
from .evaluation_data import GroupMean
from .models import Evaluation, Indicator, PeriodKind

# What a figure of each unit reads as, and what a difference between two figures reads as.
FIGURE_SUFFIX: dict[str, str] = {
    Indicator.Unit.PERCENT: "%",
    Indicator.Unit.PER_100_PUPILS: " per 100 pupils",
    Indicator.Unit.PER_100K: " per 100,000 young people",
    Indicator.Unit.HOURS: " hours",
    Indicator.Unit.DAYS: " days",
}
DIFFERENCE_UNIT: dict[str, tuple[str, str]] = {
    Indicator.Unit.PERCENT: ("percentage point", "percentage points"),
    Indicator.Unit.PER_100_PUPILS: ("per 100 pupils", "per 100 pupils"),
    Indicator.Unit.PER_100K: ("per 100,000 young people", "per 100,000 young people"),
    Indicator.Unit.HOURS: ("hour", "hours"),
    Indicator.Unit.DAYS: ("day", "days"),
    Indicator.Unit.RANK: ("place", "places"),
    Indicator.Unit.GRADE: ("grade", "grades"),
    Indicator.Unit.SCORE: ("point", "points"),
    Indicator.Unit.COUNT: ("", ""),
}
PERIOD_NOUN: dict[str, tuple[str, str]] = {
    PeriodKind.YEAR: ("year", "years"),
    PeriodKind.TERM: ("term", "terms"),
}
# Below these, an evaluation's caveats say the comparison is thin.
FEW_SCHOOLS = 10
FEW_PARTNERSHIP_SCHOOLS = 3
FEW_PERIODS_BEFORE = 3
# A gap between the groups before the start, in standard deviations of the schools' figures,
# beyond which they are said not to have been alike (a common threshold for balance).
GAP_BEFORE = 0.25
MINUS = "\u2212"


def decimal_places(value: float) -> int:
    """One decimal place, or below 0.1 as many as two significant figures need (0.051)."""
    if value == 0 or abs(value) >= 0.1:
        return 1
    return 1 - math.floor(math.log10(abs(value)))


def number_text(value: float, places: int | None = None) -> str:
    """A figure to ``decimal_places`` (or ``places``), with thousands separated and a true
    minus sign."""
    text = f"{abs(value):,.{decimal_places(value) if places is None else places}f}"
    return f"{MINUS}{text}" if value < 0 and text.strip("0.,") else text


def interval_text(low: float, high: float) -> str:
    """A confidence interval's ends, both to the same number of places."""
    places = max(decimal_places(low), decimal_places(high))
    return f"{number_text(low, places)} to {number_text(high, places)}"


def figure_text(value: float, unit: str) -> str:
    """A figure with its unit: 21.3%, 4.2 per 100 pupils."""
    return number_text(value) + FIGURE_SUFFIX.get(unit, "")


def difference_text(value: float, unit: str) -> str:
    """The size of a difference with its unit: 2.1 percentage points, 1 point."""
    one, many = DIFFERENCE_UNIT.get(unit, ("", ""))
    text = number_text(abs(value))
    noun = one if text == "1.0" else many
    return f"{text} {noun}".strip()


def p_value_text(p_value: float) -> str:
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {p_value:.3f}" if p_value < 0.01 else f"p = {p_value:.2f}"


def period_noun(kind: str, count: int = 1) -> str:
    one, many = PERIOD_NOUN.get(kind, ("period", "periods"))
    return one if count == 1 else many


def result_sentence(evaluation: Evaluation) -> str:
    """What the estimate says, in words: its size and direction against the comparison
    schools' trend, whether that is better or worse, and what the confidence interval allows."""
    indicator = evaluation.indicator
    estimate = evaluation.estimate
    unit = indicator.unit
    if estimate == 0:
        change = f"{indicator.name} in the partnership's schools was what the comparison schools' trend would have made it"
    else:
        direction = "lower" if estimate < 0 else "higher"
        better = (estimate < 0) == indicator.lower_is_better
        judgement = "an improvement" if better else "a worsening"
        change = (
            f"{indicator.name} in the partnership's schools was about "
            f"{difference_text(estimate, unit)} {direction} than expected had they followed the "
            f"comparison schools' trend since the partnership began: {judgement}, as "
            f"{'lower' if indicator.lower_is_better else 'higher'} is better"
        )
    low, high = evaluation.ci_low, evaluation.ci_high
    interval = f"The 95% confidence interval runs from {number_text(low)} to {number_text(high)}"
    if low <= 0 <= high:
        verdict = (
            f"it includes no change at all, so chance alone could explain a difference of this "
            f"size ({p_value_text(evaluation.p_value)})"
        )
    else:
        verdict = (
            f"it does not include no change ({p_value_text(evaluation.p_value)}), so chance "
            "alone is an unlikely explanation, though the caveats below still apply"
        )
    return f"{change}. {interval}; {verdict}."


@dataclass(frozen=True)
class CaveatData:
    """What the caveats are worked out from."""

    indicator: Indicator
    kind: str
    started_on: date
    start_period_begins: date  # the first day of the period the partnership began in
    result: DidResult
    partnership_schools: int
    comparison_schools: int
    periods_before: int  # periods before the start with a figure for a partnership school
    means: list[GroupMean]
    before_gap: float | None  # the groups' difference before the start, in standard deviations
    left_out: int  # figures suppressed or resting on too few answers
    missing: int  # school-periods without a figure
    schools_without_figures: list[str]  # chosen schools left out for want of any figure
    latest_period: str


def _trend_gap(data: CaveatData) -> float | None:
    """How much the gap between the groups changed per period before the start."""
    gaps = [
        mean.partnership - mean.comparison
        for mean in data.means
        if mean.period.start < data.started_on
        and mean.partnership is not None
        and mean.comparison is not None
    ]
    if len(gaps) < 2:
        return None
    return (gaps[-1] - gaps[0]) / (len(gaps) - 1)


def caveats(data: CaveatData) -> list[str]:
    """The plain-English caveats of an evaluation, most particular first."""
    unit = data.indicator.unit
    found: list[str] = []
    schools = data.partnership_schools + data.comparison_schools
    if schools < FEW_SCHOOLS or data.partnership_schools < FEW_PARTNERSHIP_SCHOOLS:
        found.append(
            f"Only {schools} schools are compared ({data.partnership_schools} in the partnership, "
            f"{data.comparison_schools} comparison schools): with so few, the estimate and its "
            "confidence interval are rough, and one unusual school can move them."
        )
    if data.periods_before < FEW_PERIODS_BEFORE:
        noun = period_noun(data.kind, data.periods_before)
        found.append(
            f"There {'is' if data.periods_before == 1 else 'are'} only {data.periods_before} "
            f"{noun} with figures before the partnership began: too few to see whether the two "
            "groups were moving in parallel before it."
        )
    if data.before_gap is not None and data.before_gap > GAP_BEFORE:
        found.append(
            "Before the partnership began, its schools and the comparison schools were not "
            f"alike on {data.indicator.name.lower()} (they were {number_text(data.before_gap)} "
            "standard deviations apart): the estimate assumes only that they would have changed "
            "alike, which is harder to believe of schools that started apart."
        )
    trend = _trend_gap(data)
    if trend is not None and abs(trend) >= data.result.std_error:
        found.append(
            "Before the partnership began, the gap between the two groups was already changing, "
            f"by about {difference_text(trend, unit)} a {period_noun(data.kind)}: part of the "
            "estimate may be that trend going on."
        )
    if data.start_period_begins != data.started_on:
        found.append(
            f"The partnership began on {data.started_on:%-d %B %Y}, part way through a "
            f"{period_noun(data.kind)}: that {period_noun(data.kind)} counts as before it."
        )
    if data.left_out:
        found.append(
            f"{data.left_out} figure{'s were' if data.left_out != 1 else ' was'} left out: "
            f"suppressed by the publisher, or from fewer than {SUPPRESS_BELOW} pupils answering."
        )
    if data.missing:
        noun = period_noun(data.kind, data.missing)
        found.append(
            f"{data.missing} school-{noun} have no figure: the estimate rests on the others."
            if data.missing != 1
            else f"One school-{noun} has no figure: the estimate rests on the others."
        )
    if data.schools_without_figures:
        names = ", ".join(data.schools_without_figures)
        found.append(f"Left out for want of any figure: {names}.")
    if data.indicator.source == Indicator.Source.IMPORTED:
        found.append(
            "Published figures come out a year or more after the year they describe: the latest "
            f"used is for {data.latest_period}, so the partnership's most recent work is not in "
            "them yet."
        )
    else:
        found.append(
            "Survey results depend on which pupils answered each term: a change in who took part "
            "can move them as much as a change in how pupils feel."
        )
    found.append(
        "The partnership's schools were not chosen at random: they may differ from the "
        "comparison schools in ways the figures do not show, and the estimate assumes that both "
        "groups would have changed alike without the partnership."
    )
    found.append(
        "Anything else that changed for one group and not the other at the same time (new "
        "leadership, other programmes, changes in the neighbourhood) is counted here as the "
        "partnership's effect."
    )
    return found
