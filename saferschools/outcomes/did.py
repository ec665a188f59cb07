"""Difference-in-differences: how much a treated group's outcome moved, beyond what the
untreated group's movement says it would have done anyway.

``estimate_did`` fits the two-way fixed effects model

    outcome = treatment effect * treated + unit effect + period effect + error

by ordinary least squares with a dummy for every unit and every period (statsmodels), and
clusters the standard errors by unit, since a unit's errors in one period are like its errors
in the next. The treatment effect is the estimate; ``treated`` is 1 for a unit in a period under
the intervention, else 0.

Small-sample correction: statsmodels' CR1 (its default for ``cov_type="cluster"``). The
clustered variance is multiplied by G/(G-1) * (N-1)/(N-K), where G is the number of units, N
the rows used and K every coefficient fitted, the unit and period dummies included; the
confidence interval and p-value use Student's t with G-1 degrees of freedom. This is what
Stata's ``regress … i.unit i.period, vce(cluster unit)`` gives. Stata's ``xtreg, fe`` and R's
``fixest`` leave out of K the unit effects, which are nested in the clusters, and so report a
standard error smaller by the factor sqrt((N-K)/(N-K_nested)). With the few schools a partnership
is compared on, where clustered standard errors tend to be too small, the larger one is kept on
purpose.

Everything that would make the estimate meaningless is refused with a ``DidError`` naming the
field at fault: no treated row, no unit that is never treated, a single period, a treated unit
with no period before its treatment, a treatment other than 0 or 1, an outcome that is not a
number, a missing column, too few units to cluster by, a design where the treatment cannot be
told apart from the unit and period effects. Rows without an outcome are left out and counted.
"""

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

# Clustering by unit estimates the variance from the units' own deviations: with G-1 degrees of
# freedom, fewer than four units leave too little to estimate it from.
MIN_UNITS = 4
# The design has a column for every unit and period: rows by columns is bounded, so that a large
# file is refused rather than exhausting the memory of the machine running it.
MAX_DESIGN_CELLS = 5_000_000
CONFIDENCE = 0.95
# Residuals this small against the outcome's own spread are rounding, not variation: the
# outcomes fit the effects exactly and leave no variance to estimate.
EXACT_FIT = 1e-20
FIELDS = ("unit", "time", "treated", "outcome")


class DidError(ValueError):
    """Data that cannot give a difference-in-differences estimate, in words fit to show the
    person who gave it; ``field`` is the column's role (unit, time, treated, outcome) or
    ``rows``, and ``row`` the position (from 0) of the row at fault, if one is."""

    def __init__(self, field: str, message: str, row: int | None = None) -> None:
        self.field = field
        self.message = message
        self.row = row
        super().__init__(message if row is None else f"Row {row + 1}: {message}")


@dataclass(frozen=True)
class DidResult:
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    n_units: int
    n_periods: int
    n_observations: int
    n_treated_units: int
    dropped: int  # rows without an outcome, left out

    def summary(self) -> dict[str, float | int]:
        """The figures ``evaluate_did`` prints."""
        return {
            "estimate": self.estimate,
            "std_error": self.std_error,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "n_units": self.n_units,
            "n_periods": self.n_periods,
        }


@dataclass(frozen=True)
class _Row:
    unit: str
    time: str
    treated: int
    outcome: float | None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _number(value: object) -> float | None:
    """A finite number from a cell (None for a blank one); ``ValueError`` for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | Decimal):
        number = float(value)
    else:
        text = _text(value)
        if not text:
            return None
        try:
            number = float(Decimal(text))
        except (InvalidOperation, OverflowError):
            raise ValueError from None
    if not math.isfinite(number):
        raise ValueError
    return number


def _treated(value: object, row: int) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        number = _number(value)
    except ValueError:
        number = None
    if number not in (0.0, 1.0):
        shown = _text(value)[:40] or "nothing"
        raise DidError(
            "treated",
            f"The treatment must be 1 (under the intervention) or 0, not “{shown}”.",
            row,
        )
    assert number is not None
    return int(number)


def _outcome(value: object, row: int) -> float | None:
    try:
        return _number(value)
    except ValueError:
        raise DidError(
            "outcome", f"The outcome must be a number, not “{_text(value)[:40]}”.", row
        ) from None


def _read(rows: list[Mapping[str, Any]], columns: dict[str, str]) -> list[_Row]:
    if not rows:
        raise DidError("rows", "There are no rows to estimate from.")
    for field in FIELDS:
        if columns[field] not in rows[0]:
            raise DidError(field, f"There is no column named “{columns[field][:60]}”.")
    read: list[_Row] = []
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        unit, time = _text(row.get(columns["unit"])), _text(row.get(columns["time"]))
        if not unit:
            raise DidError("unit", "The unit is missing.", index)
        if not time:
            raise DidError("time", "The period is missing.", index)
        if (unit, time) in seen:
            raise DidError(
                "time",
                f"Unit “{unit[:60]}” has a second row for period “{time[:60]}”: give one row "
                "per unit and period.",
                index,
            )
        seen.add((unit, time))
        treated = _treated(row.get(columns["treated"]), index)
        read.append(_Row(unit, time, treated, _outcome(row.get(columns["outcome"]), index)))
    return read


def _time_order(times: Iterable[str]) -> dict[str, tuple[int, float, str]]:
    """A sort key for each period: by number when every period is a number, else as text (a
    year, a date as YYYY-MM-DD or an academic year as 2025/26 sorts in time order)."""
    times = set(times)
    numbers: dict[str, float] = {}
    for time in times:
        try:
            number = _number(time)
        except ValueError:
            number = None
        if number is None:
            return {time: (1, 0.0, time) for time in times}
        numbers[time] = number
    return {time: (0, number, time) for time, number in numbers.items()}


def _check_design(rows: list[_Row]) -> None:
    if not any(row.treated for row in rows):
        raise DidError("treated", "No row with an outcome is treated (1).")
    by_unit: dict[str, list[_Row]] = {}
    for row in rows:
        by_unit.setdefault(row.unit, []).append(row)
    if all(any(row.treated for row in unit_rows) for unit_rows in by_unit.values()):
        raise DidError(
            "treated",
            "Every unit is treated in some period: the comparison needs units that are never "
            "treated.",
        )
    order = _time_order(row.time for row in rows)
    if len(order) < 2:
        raise DidError("time", "Every row with an outcome is in the same period: give two or more.")
    for unit, unit_rows in by_unit.items():
        treated = [order[row.time] for row in unit_rows if row.treated]
        if treated and not any(
            order[row.time] < min(treated) for row in unit_rows if not row.treated
        ):
            raise DidError(
                "treated",
                f"Unit “{unit[:60]}” has no period with an outcome before its treatment: its "
                "change cannot be measured.",
            )
    if len(by_unit) < MIN_UNITS:
        raise DidError(
            "unit",
            f"There are {len(by_unit)} units with an outcome: clustering the standard errors by "
            f"unit needs at least {MIN_UNITS}.",
        )
    cells = len(rows) * (len(by_unit) + len(order))
    if cells > MAX_DESIGN_CELLS:
        raise DidError(
            "rows",
            f"{len(rows):,} rows over {len(by_unit):,} units and {len(order):,} periods are too "
            "many to estimate here.",
        )


def estimate_did(
    rows: Iterable[Mapping[str, Any]],
    *,
    unit: str = "unit",
    time: str = "time",
    treated: str = "treated",
    outcome: str = "outcome",
) -> DidResult:
    """The difference-in-differences estimate of the treatment's effect on the outcome, with
    unit and period fixed effects and standard errors clustered by unit (see the module's
    docstring for the small-sample correction). ``unit``, ``time``, ``treated`` and ``outcome``
    name the keys of each row. Raises ``DidError`` for data that cannot give a meaningful
    estimate."""
    columns = {"unit": unit, "time": time, "treated": treated, "outcome": outcome}
    read = _read(list(rows), columns)
    used = [row for row in read if row.outcome is not None]
    _check_design(used)
    units = pd.factorize(pd.Series([row.unit for row in used]))[0]
    frame = pd.DataFrame(
        {
            "y": [row.outcome for row in used],
            "d": [float(row.treated) for row in used],
            "u": units,
            "t": pd.factorize(pd.Series([row.time for row in used]))[0],
        }
    )
    model = smf.ols("y ~ d + C(u) + C(t)", data=frame)
    columns_fitted = model.exog.shape[1]
    if np.linalg.matrix_rank(model.exog) < columns_fitted or len(used) <= columns_fitted:
        raise DidError(
            "treated",
            "The treatment cannot be told apart from the unit and period effects: the treated "
            "rows need untreated rows of the same periods, and more rows than effects.",
        )
    with warnings.catch_warnings():
        # A perfect fit warns of a zero variance, huge outcomes of an overflow: both are
        # refused below, in words.
        warnings.simplefilter("ignore", RuntimeWarning)
        fitted = model.fit(cov_type="cluster", cov_kwds={"groups": units}, use_t=True)
        low, high = fitted.conf_int(alpha=1 - CONFIDENCE).loc["d"]
        exact = fitted.ssr <= EXACT_FIT * fitted.centered_tss
    figures = [fitted.params["d"], fitted.bse["d"], low, high, fitted.pvalues["d"]]
    if exact or not all(math.isfinite(figure) for figure in figures) or fitted.bse["d"] <= 0:
        raise DidError(
            "outcome",
            "The outcomes leave nothing to estimate a standard error from: they fit the unit "
            "and period effects exactly, or are too large to compute with.",
        )
    estimate, std_error, ci_low, ci_high, p_value = (float(figure) for figure in figures)
    return DidResult(
        estimate=estimate,
        std_error=std_error,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        n_units=int(frame["u"].nunique()),
        n_periods=int(frame["t"].nunique()),
        n_observations=len(used),
        n_treated_units=len({row.unit for row in used if row.treated}),
        dropped=len(read) - len(used),
    )
