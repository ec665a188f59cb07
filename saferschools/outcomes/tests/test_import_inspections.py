"""Importing Ofsted's management information on state-funded schools' inspections: the behaviour
judgement of each inspection, in the academic year of the inspection, across the frameworks'
column names."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from saferschools.core.models import AuditEvent
from saferschools.outcomes.importing import indicators_import
from saferschools.outcomes.importing_files import IndicatorImportError
from saferschools.outcomes.importing_inspections import day_read
from saferschools.outcomes.models import IndicatorImport, IndicatorValue
from saferschools.testing.factories import AreaFactory, SchoolFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
LATEST = DATA / "ofsted_inspections_cut.csv"
URNS = (125273, 125104, 124981, 125289, 141036, 134732)
# The file Ofsted has published since 2024, which also lists ungraded inspections.
OEIF_HEADER = (
    "URN,School name,Ofsted phase,Date of latest ungraded inspection,Ungraded inspection "
    "overall outcome,Inspection start date of latest OEIF graded inspection,Latest OEIF "
    "overall effectiveness,Latest OEIF quality of education,Latest OEIF behaviour and "
    "attitudes,Latest OEIF personal development"
)
# The 2009 to 2015 file of every inspection: behaviour and safety of pupils.
OLDER_HEADER = (
    "URN,School name,Inspection number,Inspection type,Academic year,Inspection start date,"
    "Inspection end date,Overall effectiveness,Achievement of pupils,Behaviour and safety of "
    "pupils,Quality of teaching,Leadership and management"
)
SHORT_HEADER = "URN,Inspection start date,Overall effectiveness,Behaviour and attitudes"


@pytest.fixture
def schools():
    area = AreaFactory()
    return {urn: SchoolFactory(area=area, urn=urn) for urn in URNS}


def values() -> dict[tuple[int, str], Decimal | None]:
    return {
        (v.school.urn, v.period): v.value
        for v in IndicatorValue.objects.filter(indicator_id="inspection_behaviour").select_related(
            "school"
        )
    }


def text_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def import_file(file, period: str | None = None, name: str = "file.csv"):
    return indicators_import(actor=None, file=file, source="test", file_name=name, period=period)


def test_each_judgement_counts_in_the_academic_year_of_its_inspection(schools):
    result = import_file(LATEST, name=LATEST.name)

    assert result.layout.code == "ofsted_inspections"
    assert result.periods == ("2021/22", "2022/23", "2023/24")
    assert (result.rows, result.known_rows, result.unknown_rows) == (5, 3, 1)
    assert result.skipped == {"inspections without a behaviour judgement (ungraded inspections)": 1}
    assert values() == {
        (125273, "2022/23"): Decimal("3"),
        (125104, "2021/22"): Decimal("1"),
        (125289, "2021/22"): Decimal("2"),
    }
    start = IndicatorValue.objects.get(school__urn=125273).period_start
    assert start == date(2022, 9, 1)
    event = AuditEvent.objects.get(object_type="outcomes.indicatorimport")
    assert event.detail["periods"] == ["2021/22", "2022/23", "2023/24"]
    assert event.detail["indicators"] == ["inspection_behaviour"]
    assert result.summary().startswith(
        "ofsted_inspections_cut.csv: Ofsted state-funded schools inspections, 2021/22, "
        "2022/23, 2023/24: 5 rows, 3 for schools in the product, 1 for schools not in the "
        "product, 1 inspections without a behaviour judgement (ungraded inspections) left aside"
    )


def test_a_later_file_replaces_only_the_schools_and_years_it_gives(schools):
    import_file(LATEST)

    # Oakwood re-inspected: the later list gives its new judgement and Langshott's old one.
    result = import_file(
        text_file(
            SHORT_HEADER,
            "125273,10/06/2025,2,2",
            "125104,05/10/2021,2,2",
        )
    )

    assert result.replaced == 1
    assert values() == {
        (125273, "2022/23"): Decimal("3"),
        (125273, "2024/25"): Decimal("2"),
        (125104, "2021/22"): Decimal("2"),
        (125289, "2021/22"): Decimal("2"),
    }


def test_the_newest_and_the_oldest_frameworks_columns_are_read(schools):
    import_file(
        text_file(
            OEIF_HEADER,
            "125273,Oakwood School,Secondary,02/10/2024,School remains good,14/03/2023,3,3,2,2",
            "125104,Langshott Primary School,Primary,NULL,NULL,05/10/2021,2,2,1,2",
            "124981,Horley Infant School,Primary,12/12/2024,Strong,NULL,NULL,NULL,NULL,NULL",
        )
    )
    import_file(
        text_file(
            OLDER_HEADER,
            "141036,Trinity Oaks,1000,S5,2013/14,2013-11-19,2013-11-20,2,2,Good,2,2",
            "134732,Manorfield,1001,S5,2012/13,27/06/2013 00:00,28/06/2013,3,3,Satisfactory,3,3",
        )
    )

    assert values() == {
        (125273, "2022/23"): Decimal("2"),
        (125104, "2021/22"): Decimal("1"),
        (141036, "2013/14"): Decimal("2"),
        (134732, "2012/13"): Decimal("3"),
    }


def test_the_judgement_of_2015_to_2019_is_read_where_the_newer_is_empty(schools):
    import_file(
        text_file(
            'URN,Inspection start date,Behaviour and attitudes,"Personal development, '
            'behaviour and welfare"',
            "125273,14/03/2018,NULL,3",
            "125104,05/10/2019,2,NULL",
        )
    )

    assert values() == {(125273, "2017/18"): Decimal("3"), (125104, "2019/20"): Decimal("2")}


def test_a_school_inspected_twice_in_a_year_keeps_the_later_judgement(schools):
    result = import_file(
        text_file(
            SHORT_HEADER,
            "125273,12/06/2024,2,2",
            "125273,20/09/2023,4,4",
            "125104,20/09/2023,2,2",
        )
    )

    assert values() == {(125273, "2023/24"): Decimal("2"), (125104, "2023/24"): Decimal("2")}
    assert result.skipped == {"earlier inspections of a school in the same academic year": 1}


def test_the_period_option_picks_one_year(schools):
    result = import_file(LATEST, period="2021/22")

    assert result.periods == ("2021/22",)
    assert values() == {(125104, "2021/22"): Decimal("1"), (125289, "2021/22"): Decimal("2")}
    assert result.skipped["rows for other periods than --period 2021/22"] == 2
    with pytest.raises(IndicatorImportError, match="--period 2019/20 is not in the file"):
        import_file(LATEST, period="2019/20")
    with pytest.raises(IndicatorImportError, match="--period 2021/22 autumn is a term"):
        import_file(LATEST, period="2021/22 autumn")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("125273,14/03/2023,3,5", "Behaviour and attitudes '5' is not a grade: 1 to 4"),
        ("125273,14/03/2023,3,Excellent", "Behaviour and attitudes 'Excellent' is not a grade"),
        ("125273,31/02/2023,3,3", "Inspection start date '31/02/2023' is not a date"),
        ("125273,2023,3,3", "Inspection start date '2023' is not a date like 31/01/2024"),
        ("125273,01/01/1900,3,3", "Inspection start date '01/01/1900' is not a date"),
        ("125273,01/01/2099,3,3", "Inspection start date 01/01/2099 is after today"),
        ("125273,NULL,3,3", "the row has a behaviour judgement but no date"),
        (",14/03/2023,3,3", "URN is empty"),
        ("12527X,14/03/2023,3,3", "URN '12527X' is not a URN"),
        ("125104,05/10/2021,2,2", "URN 125104 inspected on 05/10/2021 is already on line 2"),
        ("125273,14/03/2023,3", "the row has 3 fields but the header has 4"),
    ],
)
def test_a_bad_row_names_its_line_and_nothing_changes(schools, row, message):
    import_file(LATEST)
    before = values()

    with pytest.raises(IndicatorImportError) as raised:
        import_file(text_file(SHORT_HEADER, "125104,05/10/2021,2,2", row))

    (error,) = raised.value.errors
    assert error.line == 3
    assert message in error.message
    assert values() == before
    assert IndicatorImport.objects.count() == 1


def test_a_file_without_dates_or_judgements_is_refused(schools):
    with pytest.raises(IndicatorImportError, match="needs the date of the inspection"):
        import_file(text_file("URN,Behaviour and attitudes", "125273,2"))
    with pytest.raises(IndicatorImportError, match="no row has a behaviour judgement"):
        import_file(text_file(SHORT_HEADER, "125273,14/03/2023,NULL,NULL"))


@time_machine.travel(date(2026, 11, 28))
def test_dates_are_read_as_ofsted_and_spreadsheets_write_them():
    assert day_read("14/03/2023") == date(2023, 3, 14)
    assert day_read("4/3/2023") == date(2023, 3, 4)
    assert day_read("2023-03-14") == date(2023, 3, 14)
    assert day_read("2023-03-14T00:00:00") == date(2023, 3, 14)
    assert day_read("14/03/2023 09:30") == date(2023, 3, 14)
    for bad in ("14-03-2023", "2023/03/14", "31/02/2023", "", "14/03/23"):
        assert day_read(bad) is None, bad


def test_the_command_imports_the_inspections(schools):
    out = io.StringIO()

    call_command("import_indicators", str(LATEST), stdout=out)

    assert "Ofsted state-funded schools inspections, 2021/22, 2022/23, 2023/24" in out.getvalue()
    assert len(values()) == 3
