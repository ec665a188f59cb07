"""Importing the performance tables' key stage 4 and key stage 2 files (england_ks4final.csv,
england_ks2final.csv): URN join, markers, summaries, periods, bad rows."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditEvent
from saferschools.outcomes.importing import indicator_file_read, indicators_import
from saferschools.outcomes.importing_files import IndicatorImportError
from saferschools.outcomes.models import IndicatorImport, IndicatorValue, PeriodKind
from saferschools.testing.factories import AreaFactory, SchoolFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
KS4 = DATA / "england_ks4final_cut.csv"
KS2 = DATA / "england_ks2final_cut.csv"
KS4_HEADER = KS4.read_text(encoding="utf-8").splitlines()[0]
KS2_HEADER = KS2.read_text(encoding="utf-8").splitlines()[0]
URNS = (125273, 125104, 124981, 125289, 141036, 134732, 137002, 137003, 137004)


@pytest.fixture
def schools():
    area = AreaFactory()
    return {urn: SchoolFactory(area=area, urn=urn) for urn in URNS}


def values() -> dict[tuple[int, str, str], tuple[Decimal | None, bool]]:
    return {
        (v.school.urn, v.indicator_id, v.period): (v.value, v.suppressed)
        for v in IndicatorValue.objects.select_related("school")
    }


def text_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def ks4_row(urn: str, att8: str, p8: str, basics: str, rectype: str = "1") -> str:
    return (
        f"{rectype},936,4465,{urn},A school,Horley,RH6 9AE,CY,11-16,1184,226,{att8},214,95%,"
        f"{p8},-0.37,-0.05,{basics},41%"
    )


def import_file(file, period: str | None = "2023/24", name: str = "file.csv"):
    return indicators_import(actor=None, file=file, source="test", file_name=name, period=period)


# Key stage 4


def test_the_key_stage_4_file_gives_attainment_progress_and_basics(schools):
    result = import_file(KS4, name=KS4.name)

    assert result.layout.code == "performance_tables_ks4"
    assert result.periods == ("2023/24",)
    assert (result.rows, result.known_rows, result.unknown_rows) == (8, 4, 2)
    assert result.skipped == {"national or local-authority summary rows": 2}
    assert values() == {
        (125273, "ks4_attainment8", "2023/24"): (Decimal("44.6"), False),
        (125273, "ks4_progress8", "2023/24"): (Decimal("-0.21"), False),
        (125273, "ks4_basics_grade4", "2023/24"): (Decimal("63"), False),
        # LOWCOV: too few pupils with key stage 2 results for a progress score.
        (137002, "ks4_attainment8", "2023/24"): (Decimal("40.1"), False),
        (137002, "ks4_progress8", "2023/24"): (None, True),
        (137002, "ks4_basics_grade4", "2023/24"): (Decimal("55"), False),
        # SUPP: a cohort too small to publish.
        (137003, "ks4_attainment8", "2023/24"): (None, True),
        (137003, "ks4_progress8", "2023/24"): (None, True),
        (137003, "ks4_basics_grade4", "2023/24"): (None, True),
        # NP: no progress score published for an independent school; nothing stored.
        (137004, "ks4_attainment8", "2023/24"): (Decimal("55"), False),
        (137004, "ks4_basics_grade4", "2023/24"): (Decimal("88"), False),
    }
    assert (result.values, result.suppressed) == (11, 4)
    assert set(IndicatorValue.objects.values_list("period_kind", flat=True)) == {PeriodKind.YEAR}
    assert result.summary() == (
        "england_ks4final_cut.csv: DfE performance tables key stage 4, 2023/24: 8 rows, 4 for "
        "schools in the product, 2 for schools not in the product, 2 national or "
        "local-authority summary rows left aside; 11 values stored (4 suppressed)."
    )


def test_the_key_stage_4_import_is_recorded_and_audited(schools):
    result = import_file(KS4, name="england_ks4final.csv")

    record = IndicatorImport.objects.get()
    assert record == result.record
    assert (record.layout, record.file_name, record.periods, record.values) == (
        "performance_tables_ks4",
        "england_ks4final.csv",
        ["2023/24"],
        11,
    )
    event = AuditEvent.objects.get(object_type="outcomes.indicatorimport")
    assert event.detail["indicators"] == [
        "ks4_attainment8",
        "ks4_progress8",
        "ks4_basics_grade4",
    ]
    assert event.detail["rows_for_schools_not_in_product"] == 2
    assert audit_verify().ok


def test_reimporting_a_key_stage_4_year_replaces_it_and_leaves_other_years(schools):
    import_file(text_file(KS4_HEADER, ks4_row("125273", "44.6", "-0.21", "63%")))
    import_file(text_file(KS4_HEADER, ks4_row("125273", "45.0", "0.1", "64%")), period="2024/25")
    import_file(text_file(KS4_HEADER, ks4_row("137002", "41", "0.2", "50%")))

    assert values() == {
        (137002, "ks4_attainment8", "2023/24"): (Decimal("41"), False),
        (137002, "ks4_progress8", "2023/24"): (Decimal("0.2"), False),
        (137002, "ks4_basics_grade4", "2023/24"): (Decimal("50"), False),
        (125273, "ks4_attainment8", "2024/25"): (Decimal("45"), False),
        (125273, "ks4_progress8", "2024/25"): (Decimal("0.1"), False),
        (125273, "ks4_basics_grade4", "2024/25"): (Decimal("64"), False),
    }


def test_percentages_are_read_with_or_without_the_percent_sign(schools):
    import_file(
        text_file(
            KS4_HEADER,
            ks4_row("125273", "44.6", "+0.5", "63.5%"),
            ks4_row("137002", "40", "-1.25", "55"),
        )
    )

    assert values()[(125273, "ks4_basics_grade4", "2023/24")] == (Decimal("63.5"), False)
    assert values()[(125273, "ks4_progress8", "2023/24")] == (Decimal("0.5"), False)
    assert values()[(137002, "ks4_basics_grade4", "2023/24")] == (Decimal("55"), False)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ks4_row("125273", "-1", "0", "50%"), "ATT8SCR '-1' is not a number"),
        (ks4_row("125273", "91", "0", "50%"), "ATT8SCR '91' is outside 0 to 90"),
        (ks4_row("125273", "40", "10.5", "50%"), "P8MEA '10.5' is outside -10 to 10"),
        (ks4_row("125273", "40", "--1", "50%"), "P8MEA '--1' is not a number"),
        (ks4_row("125273", "40", "0", "101%"), "PTL2BASICS_94 '101%' is a percentage above"),
        (ks4_row("125273", "40", "0", "50%%"), "PTL2BASICS_94 '50%%' is not a number"),
        (ks4_row("125273", "40", "0", "x"), "PTL2BASICS_94 'x' is not a number nor one"),
        (ks4_row("125273", "1e999999", "0", "5"), "ATT8SCR '1e999999' is not a number"),
        (ks4_row("", "40", "0", "50%"), "URN is empty"),
        (ks4_row("12527X", "40", "0", "50%"), "URN '12527X' is not a URN"),
    ],
)
def test_a_bad_key_stage_4_row_names_its_line_and_nothing_changes(schools, row, message):
    import_file(text_file(KS4_HEADER, ks4_row("125273", "44.6", "-0.21", "63%")))
    before = values()

    with pytest.raises(IndicatorImportError) as raised:
        import_file(text_file(KS4_HEADER, ks4_row("137002", "40", "0", "50%"), row))

    (error,) = raised.value.errors
    assert error.line == 3
    assert message in error.message
    assert values() == before
    assert IndicatorImport.objects.count() == 1


def test_a_summary_row_is_told_from_a_school_row_without_urn(schools):
    with pytest.raises(IndicatorImportError, match="line 2: URN is empty"):
        import_file(text_file(KS4_HEADER, ks4_row("", "40", "0", "50%", rectype="1")))

    result = import_file(text_file(KS4_HEADER, ks4_row("", "40", "0", "50%", rectype="4")))

    assert result.skipped == {"national or local-authority summary rows": 1}
    assert not IndicatorValue.objects.exists()


def test_the_year_of_a_key_stage_file_must_be_given_as_an_academic_year(schools):
    with pytest.raises(IndicatorImportError) as raised:
        import_file(KS4, period=None)
    assert "line 1: a DfE performance tables key stage 4 file does not state its academic" in (
        str(raised.value)
    )

    with pytest.raises(IndicatorImportError, match="--period 2023/24 autumn is a term, but a"):
        import_file(KS4, period="2023/24 autumn")
    with pytest.raises(IndicatorImportError, match="--period 2024-03 is a month"):
        import_file(KS2, period="2024-03")
    assert not IndicatorValue.objects.exists()


# Key stage 2


def test_the_key_stage_2_file_gives_reading_writing_and_maths(schools):
    result = import_file(KS2, name=KS2.name)

    assert result.layout.code == "performance_tables_ks2"
    assert (result.rows, result.known_rows, result.unknown_rows) == (7, 5, 1)
    assert result.skipped == {"national or local-authority summary rows": 1}
    assert values() == {
        (125104, "ks2_expected_rwm", "2023/24"): (Decimal("68"), False),
        (125289, "ks2_expected_rwm", "2023/24"): (Decimal("59"), False),
        (141036, "ks2_expected_rwm", "2023/24"): (None, True),
    }


def test_a_file_with_columns_of_two_key_stages_is_refused(schools):
    header = KS4_HEADER + ",PTRWM_EXP"

    with pytest.raises(IndicatorImportError) as raised:
        import_file(text_file(header, ks4_row("125273", "40", "0", "50%") + ",60%"))

    (error,) = raised.value.errors
    assert error.line == 1
    assert "more than one performance tables file" in error.message
    assert "key stage 4" in error.message and "key stage 2" in error.message


def test_a_column_the_import_does_not_read_may_be_named_twice(schools):
    header = KS2_HEADER.replace("PTRWM_HIGH", "TOWN")

    file = indicator_file_read(
        text_file(header, "1,936,2925,125104,A,B,C,CY,5-11,419,60,68%,D,0.4,1.1,-0.2"),
        period="2023/24",
    )

    assert file.schools[0].figures[0].value == Decimal("68")
    with pytest.raises(IndicatorImportError, match="the header names 'urn' twice"):
        indicator_file_read(text_file("URN,URN,PTRWM_EXP", "1,1,50%"), period="2023/24")


def test_the_command_imports_both_key_stages(schools):
    out, err = io.StringIO(), io.StringIO()

    call_command("import_indicators", str(KS4), str(KS2), "--period", "2023/24", stdout=out)

    assert "england_ks4final_cut.csv: DfE performance tables key stage 4, 2023/24" in (
        out.getvalue()
    )
    assert "england_ks2final_cut.csv: DfE performance tables key stage 2, 2023/24" in (
        out.getvalue()
    )
    assert IndicatorImport.objects.count() == 2
    with pytest.raises(CommandError, match="Nothing imported: 1 of 1"):
        call_command("import_indicators", str(KS2), stdout=out, stderr=err)
    assert "england_ks2final_cut.csv: 1 problem:\n  line 1: a DfE performance tables key" in (
        err.getvalue()
    )
