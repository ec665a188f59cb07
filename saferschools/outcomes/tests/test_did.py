"""The difference-in-differences engine: the estimate it gives on data whose answer is known,
the rows it leaves out, and every kind of data it refuses, with the field at fault."""

import pytest
from scipy import stats

from saferschools.outcomes.did import MIN_UNITS, DidError, estimate_did


def panel(effect: float = -2.0, units: int = 6, periods: int = 4, start: int = 2) -> list[dict]:
    """A balanced panel: half the units treated from period ``start``; each unit's level and
    each period's shock differ, and a small wobble keeps the fit from being exact."""
    rows = []
    for unit in range(units):
        for period in range(periods):
            treated = unit < units // 2 and period >= start
            wobble = ((unit * 7 + period * 3) % 5 - 2) / 10
            rows.append(
                {
                    "unit": f"school {unit}",
                    "time": period,
                    "treated": int(treated),
                    "outcome": 10 + unit + 0.5 * period + wobble + (effect if treated else 0),
                }
            )
    return rows


def two_by_two_by_hand(rows: list[dict], start: int) -> float:
    """The textbook difference of four means, which two-way fixed effects equals on a balanced
    panel with one start date."""

    def mean(treated_group: bool, after: bool) -> float:
        chosen = [
            row["outcome"]
            for row in rows
            if (int(row["unit"].split()[1]) < 3) == treated_group
            and (row["time"] >= start) == after
        ]
        return sum(chosen) / len(chosen)

    return (mean(True, True) - mean(True, False)) - (mean(False, True) - mean(False, False))


def test_the_estimate_is_the_difference_in_differences_of_means():
    rows = panel()
    result = estimate_did(rows)
    assert result.estimate == pytest.approx(two_by_two_by_hand(rows, 2), abs=1e-9)
    assert result.estimate == pytest.approx(-2.0, abs=0.3)
    assert (result.n_units, result.n_periods, result.n_observations) == (6, 4, 24)
    assert (result.n_treated_units, result.dropped) == (3, 0)
    # A 95% interval from Student's t with one fewer degrees of freedom than units.
    half_width = stats.t.ppf(0.975, 5) * result.std_error
    assert result.ci_low == pytest.approx(result.estimate - half_width)
    assert result.ci_high == pytest.approx(result.estimate + half_width)
    assert 0 < result.p_value < 0.05
    assert result.summary() == {
        "estimate": result.estimate,
        "std_error": result.std_error,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "p_value": result.p_value,
        "n_units": 6,
        "n_periods": 4,
    }


def test_columns_are_named_by_the_caller_and_values_may_be_text():
    rows = [
        {
            "School": r["unit"],
            "Year": str(2018 + r["time"]),
            "SSP": str(r["treated"]),
            "PA": f"{r['outcome']:.6f}",
        }
        for r in panel()
    ]
    result = estimate_did(rows, unit="School", time="Year", treated="SSP", outcome="PA")
    assert result.estimate == pytest.approx(estimate_did(panel()).estimate, abs=1e-5)


def test_rows_without_an_outcome_are_left_out_and_counted():
    rows = panel()
    rows[0]["outcome"] = ""
    rows[5]["outcome"] = None
    result = estimate_did(rows)
    assert (result.dropped, result.n_observations) == (2, 22)


@pytest.mark.parametrize(
    "change, field, message",
    [
        (lambda rows: [], "rows", "There are no rows to estimate from."),
        (
            lambda rows: [{k: v for k, v in r.items() if k != "outcome"} for r in rows],
            "outcome",
            "There is no column named “outcome”.",
        ),
        (
            lambda rows: [{**r, "treated": 0} for r in rows],
            "treated",
            "No row with an outcome is treated (1).",
        ),
        (
            lambda rows: [{**r, "treated": int(r["time"] >= 2)} for r in rows],
            "treated",
            "Every unit is treated in some period: the comparison needs units that are never "
            "treated.",
        ),
        (
            lambda rows: [{**r, "time": 0} for r in rows if r["time"] == 0],
            "treated",
            "No row with an outcome is treated (1).",
        ),
        (
            lambda rows: [
                {**r, "time": 0, "treated": int(r["unit"] == "school 0")}
                for r in rows
                if r["time"] == 0
            ],
            "time",
            "Every row with an outcome is in the same period: give two or more.",
        ),
        (
            lambda rows: [
                {**r, "treated": 1 if r["unit"] == "school 0" else r["treated"]} for r in rows
            ],
            "treated",
            "Unit “school 0” has no period with an outcome before its treatment: its change "
            "cannot be measured.",
        ),
        (
            lambda rows: [r for r in rows if r["unit"] in ("school 0", "school 4", "school 5")],
            "unit",
            f"There are 3 units with an outcome: clustering the standard errors by unit needs at "
            f"least {MIN_UNITS}.",
        ),
    ],
)
def test_data_that_cannot_give_an_estimate(change, field, message):
    with pytest.raises(DidError) as caught:
        estimate_did(change(panel()))
    assert (caught.value.field, caught.value.message) == (field, message)


@pytest.mark.parametrize(
    "value", ["2", 0.5, -1, "yes", "", None, "1e999999", float("nan"), "\x00", [1]]
)
def test_a_treatment_other_than_0_or_1_is_refused_naming_the_row(value):
    rows = panel()
    rows[3]["treated"] = value
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert (caught.value.field, caught.value.row) == ("treated", 3)
    assert str(caught.value).startswith(
        "Row 4: The treatment must be 1 (under the intervention) or 0"
    )


def test_true_false_and_text_numbers_are_a_treatment():
    rows = [{**r, "treated": bool(r["treated"])} for r in panel()]
    rows[0]["treated"] = "0.0"
    assert estimate_did(rows).estimate == pytest.approx(estimate_did(panel()).estimate)


@pytest.mark.parametrize(
    "value", ["abc", "1e999999", "inf", "NaN", True, "\x00", "1,5", "9" * 5000 + "x"]
)
def test_an_outcome_that_is_not_a_number_is_refused_naming_the_row(value):
    rows = panel()
    rows[7]["outcome"] = value
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert (caught.value.field, caught.value.row) == ("outcome", 7)
    assert caught.value.message.startswith("The outcome must be a number, not “")


def test_a_second_row_for_a_unit_and_period_is_refused():
    rows = panel()
    rows.append(dict(rows[2]))
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert caught.value.field == "time"
    assert caught.value.message.startswith("Unit “school 0” has a second row for period “2”")


def test_missing_units_and_periods_are_refused_naming_the_row():
    rows = panel()
    rows[1]["unit"] = "  "
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert (caught.value.field, caught.value.row, caught.value.message) == (
        "unit",
        1,
        "The unit is missing.",
    )
    rows = panel()
    rows[2]["time"] = None
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert (caught.value.field, caught.value.row) == ("time", 2)


def test_a_design_where_the_treatment_is_a_period_effect_is_refused():
    """The treated units' treated periods are the only rows of those periods: the treatment
    cannot be told apart from the periods' own effects."""
    rows = [r for r in panel() if not (r["time"] >= 2 and not r["treated"])]
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert caught.value.field == "treated"
    assert caught.value.message.startswith("The treatment cannot be told apart")


def test_outcomes_that_fit_exactly_are_refused():
    rows = [{**r, "outcome": int(r["unit"].split()[1]) + r["time"]} for r in panel()]
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert caught.value.field == "outcome"


def test_outcomes_too_large_to_compute_with_are_refused():
    rows = [{**r, "outcome": r["outcome"] * 1e306} for r in panel()]
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert caught.value.field == "outcome"


def test_periods_are_ordered_as_numbers_when_every_one_is_a_number():
    """As text, "10" comes before "9"; as numbers, the treated unit's period 9 is before 10."""
    rows = []
    for unit in range(4):
        for period, shift in ((9, 0.0), (10, 1.0), (11, 2.1)):
            treated = unit == 0 and period >= 10
            rows.append(
                {
                    "unit": unit,
                    "time": str(period),
                    "treated": int(treated),
                    "outcome": unit + shift + (unit % 2) * 0.1 * period + (1.5 if treated else 0),
                }
            )
    assert estimate_did(rows).n_periods == 3


def test_a_design_too_large_to_hold_is_refused_before_it_is_built():
    rows = [
        {"unit": unit, "time": time, "treated": int(unit == 0 and time == 1), "outcome": unit}
        for unit in range(1600)
        for time in (0, 1)
    ]
    with pytest.raises(DidError) as caught:
        estimate_did(rows)
    assert caught.value.field == "rows"
    assert caught.value.message == (
        "3,200 rows over 1,600 units and 2 periods are too many to estimate here."
    )
