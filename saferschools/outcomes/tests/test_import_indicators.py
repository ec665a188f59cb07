"""Importing published indicators: the performance tables absence file, Explore education
statistics school-level files, the Index of Multiple Deprivation, and the command."""

import io
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditAction, AuditEvent, School
from saferschools.outcomes.importing import (
    IMD_2019_COLUMNS,
    indicator_file_read,
    indicators_import,
)
from saferschools.outcomes.importing_files import (
    IndicatorImportError,
    ees_period_parse,
    period_parse,
)
from saferschools.outcomes.models import IndicatorImport, IndicatorValue, LsoaDeprivation
from saferschools.outcomes.selectors import deprivation_by_school
from saferschools.testing.factories import AreaFactory, SchoolFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
ABSENCE_CUT = DATA / "england_abs_cut.csv"
IMD_CUT = DATA / "imd2019_cut.csv"
# Real schools of the cut (Surrey, LA 936) and their neighbourhoods (2011 LSOAs).
SURREY = {
    125273: ("Oakwood School", "E01030583"),
    125104: ("Langshott Primary School", "E01030580"),
    124981: ("Horley Infant School", "E01030575"),
    125289: ("Yattendon School", "E01030576"),
    141036: ("Trinity Oaks Church of England Primary School", "E01030581"),
    134732: ("Manorfield Primary and Nursery School", "E01030588"),
    145701: ("Windlesham Village Infant School", "E01030810"),
    125048: ("Folly Hill Infant School", "E01030900"),
}
ABSENCE_HEADER = "LA,ESTAB,URN,PERCTOT,PPERSABS10"
EXCLUSIONS_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,school_urn,school_laestab,school_name,"
    "school_type,headcount,perm_excl,perm_excl_rate,suspension,susp_rate,one_plus_susp,"
    "one_plus_susp_rate"
)
ABSENCE_EES_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,school_urn,"
    "school_name,enrolments,sess_overall,sess_overall_percent,enrolments_pa_10_exact,"
    "enrolments_pa_10_exact_percent"
)
IMD_HEADER = ",".join(IMD_2019_COLUMNS)


@pytest.fixture
def surrey() -> dict[int, School]:
    area = AreaFactory()
    return {
        urn: SchoolFactory(area=area, urn=urn, name=name, lsoa_code=lsoa)
        for urn, (name, lsoa) in SURREY.items()
    }


def text_file(*lines: str, ending: str = "\n") -> io.BytesIO:
    return io.BytesIO((ending.join(lines) + ending).encode("utf-8"))


def absence(*rows: str, **kwargs) -> io.BytesIO:
    return text_file(ABSENCE_HEADER, *rows, **kwargs)


def exclusions_row(
    urn: str, susp: str, perm: str, *, period: str = "201819", level: str = "School"
) -> str:
    return (
        f"{period},Academic year,{level},E92000001,England,E12000008,South East,936,E10000030,"
        f"Surrey,{urn},9364465,A school,State-funded secondary,900,1,{perm},20,{susp},15,1.67"
    )


def ees_absence_row(urn: str, overall: str, persistent: str, *, period: str = "201819") -> str:
    return (
        f"{period},Academic year,School,E92000001,England,{urn},A school,900,5000,{overall},"
        f"120,{persistent}"
    )


def import_file(file, period: str | None = None, name: str = "file.csv"):
    return indicators_import(actor=None, file=file, source="test", file_name=name, period=period)


def values() -> dict[tuple[int, str, str], tuple[Decimal | None, bool]]:
    return {
        (v.school.urn, v.indicator_id, v.period): (v.value, v.suppressed)
        for v in IndicatorValue.objects.select_related("school")
    }


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_indicators", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# Periods


def test_academic_years_are_read_as_published():
    assert period_parse("2017/18") is not None
    assert period_parse("2017/18").label == "2017/18"
    assert period_parse("2017/18").start == date(2017, 9, 1)
    assert period_parse("1999/00").label == "1999/00"
    assert ees_period_parse("201819").label == "2018/19"
    for bad in ("2017/19", "2017", "2017-18", "17/18", "2017/2018", ""):
        assert period_parse(bad) is None, bad
    for bad in ("201820", "2018", "2018/19", "20181"):
        assert ees_period_parse(bad) is None, bad


# The performance tables absence file (england_abs.csv)


def test_the_real_absence_file_is_imported_for_the_schools_in_the_product(surrey):
    result = import_file(ABSENCE_CUT, period="2017/18", name=ABSENCE_CUT.name)

    assert result.layout.code == "performance_tables_absence"
    assert result.periods == ("2017/18",)
    assert (result.rows, result.known_rows, result.unknown_rows) == (13, 8, 2)
    assert result.skipped == {"national or local-authority summary rows": 3}
    assert (result.values, result.suppressed, result.replaced) == (16, 2, 0)
    stored = values()
    assert stored[(125273, "overall_absence", "2017/18")] == (Decimal("5.4"), False)
    assert stored[(125273, "persistent_absence", "2017/18")] == (Decimal("14"), False)
    assert stored[(145701, "overall_absence", "2017/18")] == (Decimal("2.7"), False)
    assert stored[(145701, "persistent_absence", "2017/18")] == (None, True)
    assert {v.period_start for v in IndicatorValue.objects.all()} == {date(2017, 9, 1)}
    assert "21,217" not in result.summary()
    assert result.summary() == (
        "england_abs_cut.csv: DfE performance tables absence, 2017/18: 13 rows, 8 for schools "
        "in the product, 2 for schools not in the product, 3 national or local-authority "
        "summary rows left aside; 16 values stored (2 suppressed)."
    )


def test_the_import_is_recorded_and_audited(surrey):
    result = import_file(ABSENCE_CUT, period="2017/18", name="england_abs.csv")

    record = IndicatorImport.objects.get()
    assert record == result.record
    assert (record.layout, record.file_name, record.periods) == (
        "performance_tables_absence",
        "england_abs.csv",
        ["2017/18"],
    )
    assert (record.rows, record.values, record.imported_by) == (13, 16, None)
    assert set(IndicatorValue.objects.values_list("imported_from", flat=True)) == {record.pk}
    event = AuditEvent.objects.get(object_type="outcomes.indicatorimport")
    assert (event.action, event.source, event.object_id) == (
        AuditAction.CREATE,
        "test",
        str(record.pk),
    )
    assert event.detail["layout"] == "performance_tables_absence"
    assert event.detail["periods"] == ["2017/18"]
    assert event.detail["values"] == 16
    assert event.detail["rows_for_schools_not_in_product"] == 2
    assert audit_verify().ok


def test_the_user_who_imports_is_recorded(surrey, world, persona):
    admin = persona("area_admin", world.area)

    result = indicators_import(actor=admin, file=ABSENCE_CUT, source="web:test", period="2017/18")

    assert result.record.imported_by == admin
    assert AuditEvent.objects.get(object_type="outcomes.indicatorimport").actor_id == admin.pk


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("utf-8"), id="utf8-lf"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="bom-lf"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-8"), id="utf8-crlf"),
        pytest.param(
            lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
            id="bom-crlf",
        ),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("cp1252"), id="cp1252"),
    ],
)
def test_byte_order_marks_and_line_endings_are_read_alike(surrey, encode):
    text = "\n".join([ABSENCE_HEADER, "936,4465,125273,5.4,14", "936,2267,145701,2.7,SUPP"])

    import_file(io.BytesIO(encode(text + "\n")), period="2017/18")

    assert values() == {
        (125273, "overall_absence", "2017/18"): (Decimal("5.4"), False),
        (125273, "persistent_absence", "2017/18"): (Decimal("14"), False),
        (145701, "overall_absence", "2017/18"): (Decimal("2.7"), False),
        (145701, "persistent_absence", "2017/18"): (None, True),
    }


def test_a_text_stream_and_a_path_are_read_alike(surrey, tmp_path):
    path = tmp_path / "abs.csv"
    path.write_text(f"{ABSENCE_HEADER}\n936,4465,125273,5.4,14\n", encoding="utf-8")

    from_path = indicator_file_read(path, period="2017/18")
    from_text = indicator_file_read(io.StringIO(path.read_text()), period="2017/18")

    assert from_path.file_name == "abs.csv"
    assert from_path.schools == from_text.schools


def test_no_data_markers_store_nothing_and_supp_is_suppressed(surrey):
    result = import_file(
        absence(
            "936,4465,125273,NE,supp",
            "936,2925,125104,NA,NP",
            "936,2140,124981,..,",
            "936,5207,125289,4.1234,0",
        ),
        period="2017/18",
    )

    assert values() == {
        (125273, "persistent_absence", "2017/18"): (None, True),
        (125289, "overall_absence", "2017/18"): (Decimal("4.123"), False),
        (125289, "persistent_absence", "2017/18"): (Decimal("0"), False),
    }
    assert (result.known_rows, result.values, result.suppressed) == (4, 3, 1)


def test_a_file_with_only_some_measures_replaces_only_those(surrey):
    import_file(absence("936,4465,125273,5.4,14"), period="2017/18")

    import_file(text_file("URN,PERCTOT", "125273,6.0"), period="2017/18")

    assert values() == {
        (125273, "overall_absence", "2017/18"): (Decimal("6.0"), False),
        (125273, "persistent_absence", "2017/18"): (Decimal("14"), False),
    }


def test_the_period_is_required_for_a_file_that_does_not_state_it(surrey):
    with pytest.raises(IndicatorImportError) as raised:
        import_file(ABSENCE_CUT)

    assert raised.value.errors[0].line == 1
    assert "--period" in str(raised.value)
    assert not IndicatorValue.objects.exists()


def test_a_period_that_names_no_period_is_refused(surrey):
    with pytest.raises(ValueError, match="is not a period: give an academic year as 2025/26"):
        import_file(ABSENCE_CUT, period="2017")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("936,4465,125273,abc,14", "PERCTOT 'abc' is not a number nor one of the publisher's"),
        ("936,4465,125273,5.4,-1", "PPERSABS10 '-1' is not a number"),
        ("936,4465,125273,101,14", "PERCTOT '101' is a percentage above 100"),
        ("936,4465,125273,5.4,1e3", "PPERSABS10 '1e3' is not a number"),
        ("936,4465,,5.4,14", "URN is empty"),
        ("936,4465,12527X,5.4,14", "URN '12527X' is not a URN"),
        ("936,4465,125273,5.4", "the row has 4 fields but the header has 5"),
        ("936,4465,125273,5.4,14,7", "the row has 6 fields but the header has 5"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_changes(surrey, row, message):
    import_file(absence("936,4465,125273,5.0,12"), period="2017/18")
    before = values()

    with pytest.raises(IndicatorImportError) as raised:
        import_file(absence("936,2925,125104,3.4,5.6", row), period="2017/18")

    assert [error.line for error in raised.value.errors] == [3]
    assert message in str(raised.value.errors[0])
    assert values() == before
    assert IndicatorImport.objects.count() == 1


def test_a_bad_last_row_changes_nothing_and_every_problem_is_listed(surrey):
    good = [f"936,{n},{urn},3.0,5.0" for n, urn in enumerate(SURREY)]

    with pytest.raises(IndicatorImportError) as raised:
        import_file(
            absence("936,1,125273,x,5", *good[1:], "201,3614,100000,3.0,oops"), period="2017/18"
        )

    assert [error.line for error in raised.value.errors] == [2, 2 + len(good)]
    assert not IndicatorValue.objects.exists()
    assert not IndicatorImport.objects.exists()
    assert not AuditEvent.objects.filter(object_type="outcomes.indicatorimport").exists()


def test_a_urn_twice_in_a_period_is_a_line_error(surrey):
    with pytest.raises(IndicatorImportError) as raised:
        import_file(
            absence("936,4465,125273,5.4,14", "936,2925,125104,3.4,5.6", "936,4465,125273,5,1"),
            period="2017/18",
        )

    (error,) = raised.value.errors
    assert error.line == 4
    assert "URN 125273 for 2017/18 is already on line 2" in str(error)


def test_reimporting_a_period_replaces_it_and_leaves_other_periods(surrey):
    import_file(absence("936,4465,125273,5.4,14", "936,2925,125104,3.4,5.6"), period="2017/18")
    import_file(absence("936,4465,125273,5.0,13", "936,2925,125104,3.0,5.0"), period="2018/19")

    result = import_file(absence("936,4465,125273,4.9,12"), period="2017/18")

    assert result.replaced == 4
    assert values() == {
        (125273, "overall_absence", "2017/18"): (Decimal("4.9"), False),
        (125273, "persistent_absence", "2017/18"): (Decimal("12"), False),
        (125273, "overall_absence", "2018/19"): (Decimal("5.0"), False),
        (125273, "persistent_absence", "2018/19"): (Decimal("13"), False),
        (125104, "overall_absence", "2018/19"): (Decimal("3.0"), False),
        (125104, "persistent_absence", "2018/19"): (Decimal("5.0"), False),
    }


def test_other_indicators_of_the_period_are_left_alone(surrey):
    import_file(text_file(EXCLUSIONS_HEADER, exclusions_row("125273", "10.5", "0.1")))

    import_file(absence("936,4465,125273,5.4,14"), period="2018/19")

    assert values()[(125273, "suspension_rate", "2018/19")] == (Decimal("10.5"), False)
    assert values()[(125273, "overall_absence", "2018/19")] == (Decimal("5.4"), False)


def test_an_unknown_header_names_the_layouts_accepted(surrey):
    with pytest.raises(IndicatorImportError) as raised:
        import_file(text_file("Crime ID,Month,Reported by", "a,2023-09,Surrey Police"))

    (error,) = raised.value.errors
    assert error.line == 1
    for name in (
        "DfE performance tables absence",
        "Explore education statistics school-level suspensions",
        "Explore education statistics school-level absence",
        "English Indices of Deprivation 2019",
        "docs/indicators.md",
    ):
        assert name in error.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (f"{ABSENCE_HEADER}\n".encode(), "the file has a header but no rows"),
        (b"URN,URN,PERCTOT\n1,1,1\n", "the header names 'urn' twice"),
        (b"PK\x03\x04rest of a workbook", "this is an Excel workbook, not a CSV file"),
    ],
)
def test_files_that_are_not_indicator_files_are_refused(surrey, content, message):
    with pytest.raises(IndicatorImportError) as raised:
        import_file(io.BytesIO(content), period="2017/18")

    assert message in str(raised.value)
    assert not IndicatorValue.objects.exists()


def test_the_import_makes_no_query_per_row(django_assert_max_num_queries):
    area = AreaFactory()
    School.objects.bulk_create(
        School(urn=400000 + n, name=f"School {n}", area=area) for n in range(1500)
    )
    rows = [f"936,{n},{400000 + n},{n % 50}.5,{n % 90}" for n in range(3000)]

    with CaptureQueriesContext(connection) as queries:
        result = import_file(absence(*rows), period="2017/18")

    assert (result.known_rows, result.unknown_rows, result.values) == (1500, 1500, 3000)
    assert IndicatorValue.objects.count() == 3000
    inserts = 'INSERT INTO "outcomes_indicatorvalue"'
    assert len([q for q in queries.captured_queries if not q["sql"].startswith(inserts)]) <= 15
    with django_assert_max_num_queries(15):
        import_file(absence(*rows[1500:]), period="2016/17")


# Explore education statistics: school-level exclusions and absence


def test_an_exclusions_file_states_its_periods_and_symbols_are_read(surrey):
    result = import_file(
        text_file(
            EXCLUSIONS_HEADER,
            exclusions_row("", "5.1", "0.05", level="National"),
            exclusions_row("", "7.2", "0.08", level="Local authority"),
            exclusions_row("125273", "10.5", "0.1"),
            exclusions_row("125104", "c", "low"),
            exclusions_row("124981", "x", "z"),
            exclusions_row("125289", ":", "u"),
            exclusions_row("141036", "~", "0"),
            exclusions_row("125273", "12.25", "0.2", period="201920"),
            exclusions_row("999999", "1", "0"),
        ),
        name="exc_school.csv",
    )

    assert result.layout.code == "ees_exclusions"
    assert result.periods == ("2018/19", "2019/20")
    assert (result.rows, result.known_rows, result.unknown_rows) == (9, 6, 1)
    assert result.skipped == {"rows at other geographic levels": 2}
    assert values() == {
        (125273, "suspension_rate", "2018/19"): (Decimal("10.5"), False),
        (125273, "permanent_exclusion_rate", "2018/19"): (Decimal("0.1"), False),
        (125104, "suspension_rate", "2018/19"): (None, True),
        (125104, "permanent_exclusion_rate", "2018/19"): (None, True),
        (141036, "suspension_rate", "2018/19"): (None, True),
        (141036, "permanent_exclusion_rate", "2018/19"): (Decimal("0"), False),
        (125273, "suspension_rate", "2019/20"): (Decimal("12.25"), False),
        (125273, "permanent_exclusion_rate", "2019/20"): (Decimal("0.2"), False),
    }
    start = IndicatorValue.objects.filter(period="2019/20").values_list("period_start", flat=True)
    assert set(start) == {date(2019, 9, 1)}
    assert IndicatorImport.objects.get().periods == ["2018/19", "2019/20"]


def test_a_suspension_rate_above_100_is_a_rate_not_a_percentage(surrey):
    import_file(text_file(EXCLUSIONS_HEADER, exclusions_row("125273", "150.5", "0")))

    assert values()[(125273, "suspension_rate", "2018/19")] == (Decimal("150.5"), False)


def test_the_older_fixed_period_exclusion_column_gives_suspensions(surrey):
    import_file(
        text_file(
            "time_period,time_identifier,geographic_level,school_urn,fixed_excl_rate,"
            "perm_excl_rate",
            "201617,Academic year,School,125273,8.4,0.05",
        )
    )

    assert values() == {
        (125273, "suspension_rate", "2016/17"): (Decimal("8.4"), False),
        (125273, "permanent_exclusion_rate", "2016/17"): (Decimal("0.05"), False),
    }


def test_the_period_option_picks_one_period_of_a_file_that_states_them(surrey):
    import_file(absence("936,4465,125273,5.4,14"), period="2018/19")
    file = [
        EXCLUSIONS_HEADER,
        exclusions_row("125273", "10.5", "0.1", period="201819"),
        exclusions_row("125273", "12.0", "0.2", period="201920"),
    ]

    result = import_file(text_file(*file), period="2019/20")

    assert result.periods == ("2019/20",)
    assert result.skipped == {"rows for other periods than --period 2019/20": 1}
    assert set(IndicatorValue.objects.values_list("indicator_id", "period")) == {
        ("overall_absence", "2018/19"),
        ("persistent_absence", "2018/19"),
        ("suspension_rate", "2019/20"),
        ("permanent_exclusion_rate", "2019/20"),
    }
    with pytest.raises(IndicatorImportError, match="--period 2017/18 is not in the file, which"):
        import_file(text_file(*file), period="2017/18")


def test_rows_for_a_term_are_left_aside(surrey):
    result = import_file(
        text_file(
            EXCLUSIONS_HEADER,
            exclusions_row("125273", "10.5", "0.1"),
            exclusions_row("125104", "3.5", "0").replace("Academic year", "Autumn term"),
        )
    )

    assert result.skipped == {"rows for part of a year (time_identifier not Academic year)": 1}
    assert {urn for urn, _, _ in values()} == {125273}


def test_a_file_without_school_rows_is_refused(surrey):
    with pytest.raises(IndicatorImportError, match="no row has geographic_level School"):
        import_file(
            text_file(EXCLUSIONS_HEADER, exclusions_row("", "5.1", "0.05", level="National"))
        )
    term = exclusions_row("125273", "1", "0").replace("Academic year", "Spring term")
    with pytest.raises(IndicatorImportError, match="no school row is for a whole academic year"):
        import_file(text_file(EXCLUSIONS_HEADER, term))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (exclusions_row("125273", "1", "0", period="2018/19"), "time_period '2018/19' is not"),
        (exclusions_row("125273", "1", "0", period="201820"), "time_period '201820' is not"),
        (exclusions_row("", "1", "0"), "school_urn is empty"),
        (exclusions_row("125273", "SUPP", "0"), "susp_rate 'SUPP' is not a number"),
        (exclusions_row("125273", "1", "n/a"), "perm_excl_rate 'n/a' is not a number"),
    ],
)
def test_a_bad_school_row_of_a_stated_period_file_is_a_line_error(surrey, row, message):
    with pytest.raises(IndicatorImportError) as raised:
        import_file(text_file(EXCLUSIONS_HEADER, exclusions_row("125104", "1", "0"), row))

    (error,) = raised.value.errors
    assert error.line == 3
    assert message in error.message
    assert not IndicatorValue.objects.exists()


def test_an_ees_file_without_the_columns_read_is_refused(surrey):
    with pytest.raises(IndicatorImportError, match="needs the columns school_urn, time_period"):
        import_file(text_file("time_period,school_urn,susp_rate", "201819,125273,1"))
    with pytest.raises(IndicatorImportError, match="none of the columns read"):
        import_file(text_file("time_period,geographic_level,school_urn,headcount", "1,2,3,4"))
    with pytest.raises(IndicatorImportError, match="both absence and exclusion columns"):
        import_file(
            text_file(
                "time_period,geographic_level,school_urn,susp_rate,sess_overall_percent",
                "201819,School,125273,1,2",
            )
        )


def test_an_ees_absence_file_gives_overall_and_persistent_absence(surrey):
    result = import_file(
        text_file(
            ABSENCE_EES_HEADER,
            ees_absence_row("125273", "6.0123", "14.2", period="202223"),
            ees_absence_row("125104", "c", "low", period="202223"),
            ees_absence_row("124981", "4.5", "x", period="202223"),
        )
    )

    assert result.layout.code == "ees_absence"
    assert result.periods == ("2022/23",)
    assert values() == {
        (125273, "overall_absence", "2022/23"): (Decimal("6.012"), False),
        (125273, "persistent_absence", "2022/23"): (Decimal("14.2"), False),
        (125104, "overall_absence", "2022/23"): (None, True),
        (125104, "persistent_absence", "2022/23"): (None, True),
        (124981, "overall_absence", "2022/23"): (Decimal("4.5"), False),
    }


def test_ees_absence_replaces_the_performance_tables_figures_of_its_period(surrey):
    import_file(absence("936,4465,125273,5.4,14", "936,2925,125104,3.4,5.6"), period="2018/19")

    import_file(text_file(ABSENCE_EES_HEADER, ees_absence_row("125273", "5.5", "14.5")))

    assert values() == {
        (125273, "overall_absence", "2018/19"): (Decimal("5.5"), False),
        (125273, "persistent_absence", "2018/19"): (Decimal("14.5"), False),
    }


# The Index of Multiple Deprivation 2019


def test_the_real_imd_file_is_imported_and_joined_to_schools(surrey):
    result = import_file(IMD_CUT, name=IMD_CUT.name)

    assert result.layout.code == "imd2019"
    assert (result.neighbourhoods, result.schools_matched, result.schools_with_lsoa) == (10, 8, 8)
    oakwood = LsoaDeprivation.objects.get(lsoa_code="E01030583")
    assert (oakwood.lsoa_name, oakwood.district_code, oakwood.district_name) == (
        "Reigate and Banstead 017D",
        "E07000211",
        "Reigate and Banstead",
    )
    assert (oakwood.imd_rank, oakwood.imd_decile, oakwood.edition) == (22308, 7, "2019")
    record = IndicatorImport.objects.get()
    assert (record.layout, record.periods, record.rows, record.values) == ("imd2019", [], 10, 10)
    event = AuditEvent.objects.get(object_type="outcomes.indicatorimport")
    assert event.detail["edition"] == "2019"

    schools = list(School.objects.all())
    joined = deprivation_by_school(schools=schools)
    by_urn = {school.urn: joined[school.pk] for school in schools if school.pk in joined}
    assert {urn: row.imd_decile for urn, row in by_urn.items()} == {
        125273: 7,
        125104: 9,
        124981: 8,
        125289: 8,
        141036: 10,
        134732: 4,
        145701: 10,
        125048: 8,
    }
    assert result.summary() == (
        "imd2019_cut.csv: Index of Multiple Deprivation 2019: 10 neighbourhoods; 8 of the 8 "
        "schools with an LSOA code are in them."
    )


def test_reimporting_the_imd_replaces_the_whole_index(surrey):
    import_file(IMD_CUT)

    result = import_file(
        text_file(
            IMD_HEADER,
            "E01030583,Reigate and Banstead 017D,E07000211,Reigate and Banstead,22000,7",
            ending="\r\n",
        )
    )

    assert result.replaced == 10
    assert list(LsoaDeprivation.objects.values_list("lsoa_code", "imd_rank")) == [
        ("E01030583", 22000)
    ]
    assert len(deprivation_by_school(schools=School.objects.all())) == 1


def test_an_imd_file_saved_by_a_spreadsheet_is_read(surrey):
    # "CSV UTF-8" from a spreadsheet: a byte-order mark, CRLF, quoted names, trailing cells.
    content = (
        "\ufeff" + IMD_HEADER + ",,\r\n"
        '"E01030583","Reigate and Banstead 017D","E07000211","Reigate and Banstead",22308,7,,\r\n'
    ).encode()

    import_file(io.BytesIO(content))

    assert LsoaDeprivation.objects.get().imd_decile == 7


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("E0103058,Name,E07000211,District,1,1", "LSOA code 'E0103058' is not an LSOA code"),
        ("E01030583,Name,E0700021,District,1,1", "district code 'E0700021' is not a code"),
        ("E01030583,,E07000211,District,1,1", "LSOA name is empty"),
        ("E01030583,Na\x00me,E07000211,District,1,1", "LSOA name holds a control character"),
        ("E01030583,Name,E07000211,Dis\x1btrict,1,1", "district name holds a control character"),
        ("E01030583,Name,E07000211,District,0,1", "IMD rank '0' is not a whole number"),
        ("E01030583,Name,E07000211,District,32845,1", "IMD rank '32845' is not a whole"),
        ("E01030583,Name,E07000211,District,12.5,1", "IMD rank '12.5' is not a whole"),
        ("E01030583,Name,E07000211,District,1,11", "IMD decile '11' is not a whole number"),
        ("E01030575,Name,E07000211,District,1,1", "LSOA code E01030575 is already on line 2"),
    ],
)
def test_a_bad_imd_row_is_a_line_error_and_nothing_changes(surrey, row, message):
    import_file(IMD_CUT)

    with pytest.raises(IndicatorImportError) as raised:
        import_file(
            text_file(IMD_HEADER, "E01030575,Reigate and Banstead 018A,E07000211,R and B,2,1", row)
        )

    (error,) = raised.value.errors
    assert error.line == 3
    assert message in error.message
    assert LsoaDeprivation.objects.count() == 10


def test_an_imd_header_that_differs_names_the_column(surrey):
    header = IMD_HEADER.replace("(IMD) Rank", "(IMD) Score")

    with pytest.raises(IndicatorImportError) as raised:
        import_file(text_file(header, "E01030583,N,E07000211,D,1,1"))

    assert "column 5 should be 'Index of Multiple Deprivation (IMD) Rank'" in str(raised.value)


# The command


def test_the_command_imports_every_file_and_says_what_it_did(surrey):
    out, err = run(str(ABSENCE_CUT), str(IMD_CUT), "--period", "2017/18")

    assert err == ""
    assert "england_abs_cut.csv: DfE performance tables absence, 2017/18: 13 rows, 8 for " in out
    assert "imd2019_cut.csv: Index of Multiple Deprivation 2019: 10 neighbourhoods" in out
    assert "(--period does not apply to the deprivation index.)" in out
    assert "Imported 2 file(s)." in out
    assert IndicatorValue.objects.count() == 16
    assert LsoaDeprivation.objects.count() == 10
    assert IndicatorImport.objects.count() == 2
    assert AuditEvent.objects.filter(source="command:import_indicators").count() == 2


def test_the_command_without_period_names_the_option(surrey):
    with pytest.raises(CommandError, match="Nothing imported"):
        run(str(ABSENCE_CUT))

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_indicators", str(ABSENCE_CUT), stdout=out, stderr=err)
    assert "line 1: a DfE performance tables absence file does not state its academic" in (
        err.getvalue()
    )
    assert "--period" in err.getvalue()


def test_the_command_refuses_a_period_that_names_no_period(surrey):
    with pytest.raises(CommandError, match="--period: “2017” is not a period"):
        run(str(ABSENCE_CUT), "--period", "2017")
    with pytest.raises(CommandError, match="--period: “2017/19” is not an academic year"):
        run(str(ABSENCE_CUT), "--period", "2017/19")
    assert not IndicatorValue.objects.exists()


def test_a_bad_file_stops_every_file_and_its_errors_go_to_stderr(surrey, tmp_path):
    bad = tmp_path / "bad.csv"
    rows = [f"936,{n},{500000 + n},x{n},1" for n in range(25)]
    bad.write_text("\n".join([ABSENCE_HEADER, *rows]) + "\n", encoding="utf-8")
    missing = tmp_path / "missing.csv"

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 2 of 3 file"):
        call_command(
            "import_indicators",
            str(ABSENCE_CUT),
            str(bad),
            str(missing),
            "--period",
            "2017/18",
            stdout=out,
            stderr=err,
        )

    errors = err.getvalue()
    assert f"{bad}: 25 problems:" in errors
    assert "  line 2: PERCTOT 'x0' is not a number" in errors
    assert "  line 21: PERCTOT 'x19' is not a number" in errors
    assert "line 22:" not in errors
    assert "  and 5 more" in errors
    assert f"{missing}: 1 problem:\n  cannot be read:" in errors
    assert out.getvalue() == ""
    assert not IndicatorValue.objects.exists()
    assert not IndicatorImport.objects.exists()


# The whole published files, when a copy is at hand

PUBLIC_DATA = os.environ.get("SAFERSCHOOLS_PUBLIC_DATA_DIR", "")
ENGLAND_ABS = Path(PUBLIC_DATA) / "dfe_absence" / "england_abs.csv"
IMD_SUBSET = Path(PUBLIC_DATA) / "imd" / "imd2019_lsoa_surrey_hampshire.csv"


@pytest.mark.skipif(
    not (PUBLIC_DATA and ENGLAND_ABS.is_file() and IMD_SUBSET.is_file()),
    reason="SAFERSCHOOLS_PUBLIC_DATA_DIR does not point at the public data folder",
)
def test_the_whole_published_files_import(surrey):
    absence_result = import_file(ENGLAND_ABS, period="2017/18", name=ENGLAND_ABS.name)
    imd_result = import_file(IMD_SUBSET, name=IMD_SUBSET.name)

    assert absence_result.rows == 21_217
    assert absence_result.skipped == {"national or local-authority summary rows": 3}
    assert (absence_result.known_rows, absence_result.unknown_rows) == (8, 21_206)
    assert IndicatorValue.objects.filter(suppressed=True).count() == 2
    assert imd_result.neighbourhoods == 1_903
    assert imd_result.schools_matched == 8
    assert values()[(125273, "overall_absence", "2017/18")] == (Decimal("5.4"), False)
