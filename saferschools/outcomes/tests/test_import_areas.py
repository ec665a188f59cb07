"""Importing a youth offending team's first-time entrants (NI 111) for its area: values stored
with the area, not a school; periods by year, term or month; the area found by local authority
number or name."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditEvent
from saferschools.outcomes.importing import indicators_import
from saferschools.outcomes.importing_files import IndicatorImportError
from saferschools.outcomes.models import Indicator, IndicatorImport, IndicatorValue, PeriodKind
from saferschools.outcomes.values import area_values
from saferschools.testing.factories import AreaFactory, SchoolFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
FTE = DATA / "yot_first_time_entrants.csv"
HEADER = "la_code,local_authority,period,first_time_entrants,population_10_17,rate_per_100000"


@pytest.fixture
def surrey():
    area = AreaFactory(name="Surrey")
    SchoolFactory(area=area, urn=125273, la_code="936", local_authority="Surrey")
    return area


@pytest.fixture
def hampshire():
    area = AreaFactory(name="Hampshire and the Isle of Wight")
    SchoolFactory(area=area, urn=116000, la_code="850", local_authority="Hampshire")
    return area


def values() -> dict[tuple[str, str], tuple[Decimal | None, bool, str]]:
    return {
        (v.area.name, v.period): (v.value, v.suppressed, v.period_kind)
        for v in IndicatorValue.objects.select_related("area")
    }


def text_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def import_file(file, period: str | None = None, name: str = "file.csv"):
    return indicators_import(actor=None, file=file, source="test", file_name=name, period=period)


def test_the_rates_are_stored_for_the_area_by_year_and_term(surrey):
    result = import_file(FTE, name=FTE.name)

    assert result.layout.code == "yot_first_time_entrants"
    assert result.periods == ("2023/24", "2024/25", "2025/26 autumn", "2025/26 spring")
    assert (result.rows, result.known_rows, result.unknown_rows) == (5, 4, 1)
    assert values() == {
        ("Surrey", "2023/24"): (Decimal("102.1"), False, PeriodKind.YEAR),
        ("Surrey", "2024/25"): (Decimal("98.3"), False, PeriodKind.YEAR),
        ("Surrey", "2025/26 autumn"): (Decimal("30.8"), False, PeriodKind.TERM),
        ("Surrey", "2025/26 spring"): (None, True, PeriodKind.TERM),
    }
    assert not IndicatorValue.objects.filter(school__isnull=False).exists()
    autumn = IndicatorValue.objects.get(period="2025/26 autumn")
    assert autumn.period_start == date(2025, 9, 1)
    assert result.summary() == (
        "yot_first_time_entrants.csv: Youth offending team first-time entrants, 2023/24 to "
        "2025/26 spring (4 periods): 5 rows, 4 for areas in the product, 1 for areas not in "
        "the product; 4 values stored (1 suppressed)."
    )


def test_the_values_are_read_back_by_period_kind(surrey):
    import_file(FTE)
    fte = Indicator.objects.get(code="first_time_entrants")
    between = {"area": surrey, "since": date(2023, 9, 1), "until": date(2026, 8, 31)}

    years = area_values(indicator=fte, kind=PeriodKind.YEAR, **between)
    terms = area_values(indicator=fte, kind=PeriodKind.TERM, **between)

    assert {label: v.value for label, v in years.items()} == {
        "2023/24": Decimal("102.1"),
        "2024/25": Decimal("98.3"),
    }
    assert {label: (v.value, v.suppressed) for label, v in terms.items()} == {
        "2025/26 autumn": (Decimal("30.8"), False),
        "2025/26 spring": (None, True),
    }


def test_the_import_is_recorded_and_audited(surrey, persona):
    admin = persona("area_admin", surrey)

    result = indicators_import(actor=admin, file=FTE, source="web:test", file_name="fte.csv")

    record = IndicatorImport.objects.get()
    assert (record.layout, record.imported_by, record.values) == (
        "yot_first_time_entrants",
        admin,
        4,
    )
    assert set(IndicatorValue.objects.values_list("imported_from", flat=True)) == {record.pk}
    event = AuditEvent.objects.get(object_type="outcomes.indicatorimport")
    assert event.detail["rows_for_areas_in_product"] == 4
    assert event.detail["rows_for_areas_not_in_product"] == 1
    assert event.detail["periods"] == list(result.periods)
    assert audit_verify().ok


def test_a_reimport_replaces_its_areas_periods_and_no_other_area(surrey, hampshire):
    import_file(FTE)
    import_file(text_file(HEADER, "936,Surrey,2022/23,100,125000,80.0"))

    result = import_file(text_file(HEADER, "936,Surrey,2024/25,120,126100,95.2"))

    assert result.replaced == 1
    assert values()[("Surrey", "2024/25")] == (Decimal("95.2"), False, PeriodKind.YEAR)
    assert values()[("Surrey", "2022/23")] == (Decimal("80"), False, PeriodKind.YEAR)
    assert values()[("Hampshire and the Isle of Wight", "2024/25")] == (
        Decimal("122.8"),
        False,
        PeriodKind.YEAR,
    )
    assert len(values()) == 6


def test_a_row_without_a_number_names_its_area_by_name(surrey, hampshire):
    import_file(
        text_file(
            'Local authority,Period,"Rate per 100,000"',
            "surrey,2024/25,98.3",
            "Hampshire,2024/25,122.8",
            "Nowhere,2024/25,10",
        )
    )

    assert values() == {
        ("Surrey", "2024/25"): (Decimal("98.3"), False, PeriodKind.YEAR),
        ("Hampshire and the Isle of Wight", "2024/25"): (Decimal("122.8"), False, PeriodKind.YEAR),
    }


def test_a_file_without_a_period_column_takes_the_period_option(surrey):
    file = ["la_code,rate_per_100000", "936,11.5"]

    result = import_file(text_file(*file), period="2026-03")

    assert result.periods == ("2026-03",)
    assert values() == {("Surrey", "2026-03"): (Decimal("11.5"), False, PeriodKind.MONTH)}
    assert IndicatorValue.objects.get().period_start == date(2026, 3, 1)
    with pytest.raises(IndicatorImportError, match="give the period of its figures with"):
        import_file(text_file(*file))


def test_the_period_option_picks_one_period_of_a_file_that_gives_them(surrey):
    result = import_file(FTE, period="2025/26 autumn")

    assert values() == {("Surrey", "2025/26 autumn"): (Decimal("30.8"), False, PeriodKind.TERM)}
    assert result.skipped == {"rows for other periods than --period 2025/26 autumn": 4}
    with pytest.raises(IndicatorImportError, match="--period 2019/20 is not in the file"):
        import_file(FTE, period="2019/20")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("936,Surrey,2024/25,1,1,-5", "rate_per_100000 '-5' is not a number"),
        ("936,Surrey,2024/25,1,1,100001", "rate_per_100000 '100001' is outside 0 to 100,000"),
        ("936,Surrey,2024/25,1,1,1e999999", "rate_per_100000 '1e999999' is not a number"),
        ("936,Surrey,2024/25,1,1,lots", "rate_per_100000 'lots' is not a number"),
        ("936,Surrey,2024/27,1,1,5", "period: “2024/27” is not an academic year"),
        ("936,Surrey,2024/25 winter,1,1,5", "period: “2024/25 winter” is not a period"),
        ("936,Surrey,2026-13,1,1,5", "period: “2026-13” is not a month"),
        ("E10000030,Surrey,2024/25,1,1,5", "la_code 'E10000030' is not a DfE local authority"),
        (",,2024/25,1,1,5", "the row names no local authority"),
        (",Sur\x00rey,2024/25,1,1,5", "local_authority holds a control character"),
        ("," + "S" * 5000 + ",2024/25,1,1,5", "local_authority is longer than 120 characters"),
        ("936,Surrey,2023/24,1,1,5", "local authority 936 for 2023/24 is already on line 2"),
        ("936,Surrey,2024/25,1,1", "the row has 5 fields but the header has 6"),
    ],
)
def test_a_bad_row_names_its_line_and_nothing_changes(surrey, row, message):
    import_file(FTE)
    before = values()

    with pytest.raises(IndicatorImportError) as raised:
        import_file(text_file(HEADER, "936,Surrey,2023/24,128,125400,102.1", row))

    (error,) = raised.value.errors
    assert error.line == 3
    assert message in error.message
    assert values() == before
    assert IndicatorImport.objects.count() == 1


def test_two_rows_landing_on_one_area_and_period_refuse_the_file(surrey):
    import_file(FTE)
    before = values()

    with pytest.raises(IndicatorImportError) as raised:
        import_file(
            text_file(HEADER, "936,Surrey,2024/25,1,1,5", ",Surrey,2024/25,1,1,6"), name="x.csv"
        )

    (error,) = raised.value.errors
    assert error.line == 3
    assert "'Surrey' is in Surrey, as is line 2: two figures for one area and 2024/25" in str(error)
    assert values() == before
    assert IndicatorImport.objects.count() == 1


def test_the_command_takes_a_term_or_a_month_and_reports_store_problems(surrey, tmp_path):
    monthly = tmp_path / "fte_march.csv"
    monthly.write_text("la_code,rate_per_100000\n936,11.5\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import_indicators", str(monthly), "--period", "2026-03", stdout=out)

    assert "fte_march.csv: Youth offending team first-time entrants, 2026-03: 1 row, 1 for " in (
        out.getvalue()
    )
    clash = tmp_path / "clash.csv"
    clash.write_text(f"{HEADER}\n936,Surrey,2024/25,1,1,5\n,Surrey,2024/25,1,1,6\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported: a file has problems"):
        call_command("import_indicators", str(FTE), str(clash), stdout=out, stderr=err)
    assert f"{clash}: 1 problem:\n  line 3: 'Surrey' is in Surrey, as is line 2" in (err.getvalue())
    assert IndicatorImport.objects.count() == 1
    assert set(IndicatorValue.objects.values_list("period", flat=True)) == {"2026-03"}
