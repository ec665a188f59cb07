"""Tests for the GIAS CSV reader. Fixtures copy the real download's quirks."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from saferschools.lib.gias import GiasError, GiasImportError, GiasSchool, read_gias

DEMO_DATA = Path(__file__).resolve().parents[2] / "core" / "demo_data"

# The search-results download's header, shortened but in the real order, with
# the real surplus columns around the ones the reader needs.
HEADER = (
    '"URN","LA (code)","LA (name)","EstablishmentNumber","EstablishmentName",'
    '"TypeOfEstablishment (name)","EstablishmentTypeGroup (name)",'
    '"EstablishmentStatus (name)","OpenDate","PhaseOfEducation (name)",'
    '"StatutoryLowAge","StatutoryHighAge","NumberOfPupils","LastChangedDate",'
    '"Town","Postcode","TelephoneNum","HeadFirstName","Easting","Northing",'
    '"LSOA (code)","Linked establishments"'
)


def gias_row(
    urn: str = "125273",
    name: str = "Oakwood School",
    *,
    type_: str = "Community school",
    group: str = "Local authority maintained schools",
    status: str = "Open",
    phase: str = "Secondary",
    ages: tuple[str, str] = ("11", "16"),
    pupils: str = "1184",
    town: str = "Horley",
    easting: str = "528474",
    links: tuple[str, ...] = ("",),
) -> str:
    """One data row as GIAS writes it: text quoted, numbers bare, dd-mm-yyyy."""
    linked = ",".join(f'"{link}"' for link in links)
    return (
        f'{urn},"936","Surrey","4010","{name}","{type_}","{group}","{status}",'
        f'"01-09-1974","{phase}",{ages[0]},{ages[1]},{pupils},"22-04-2021",'
        f'"{town}","RH6 9AE","01293-785061","Pat",{easting},143580,"E01030726",{linked}'
    )


def write_csv(
    tmp_path: Path, lines: list[str], *, encoding: str = "utf-8", newline: str = "\r\n"
) -> Path:
    path = tmp_path / "gias.csv"
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def test_reads_the_real_download_format(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            gias_row(),
            gias_row(
                "124981",
                "Horley Infant School",
                phase="Primary",
                ages=("4", "7"),
                pupils="",
                easting="",
                links=("115961 Predecessor", "148215 Successor", "148216 Sibling"),
            ),
            "",
        ],
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    schools = read_gias(path)

    assert schools == [
        GiasSchool(
            urn=125273,
            name="Oakwood School",
            la_code="936",
            la_name="Surrey",
            establishment_type="Community school",
            type_group="Local authority maintained schools",
            phase="Secondary",
            status="Open",
            postcode="RH6 9AE",
            town="Horley",
            easting=528474,
            northing=143580,
            lsoa_code="E01030726",
            number_of_pupils=1184,
            low_age=11,
            high_age=16,
        ),
        GiasSchool(
            urn=124981,
            name="Horley Infant School",
            la_code="936",
            la_name="Surrey",
            establishment_type="Community school",
            type_group="Local authority maintained schools",
            phase="Primary",
            status="Open",
            postcode="RH6 9AE",
            town="Horley",
            easting=None,
            northing=143580,
            lsoa_code="E01030726",
            number_of_pupils=None,
            low_age=4,
            high_age=7,
        ),
    ]


def test_reads_binary_and_text_file_objects(tmp_path: Path) -> None:
    content = "\r\n".join([HEADER, gias_row()]) + "\r\n"

    from_bytes = read_gias(io.BytesIO(content.encode("utf-8")))
    from_text = read_gias(io.StringIO("\ufeff" + content, newline=""))

    assert [s.urn for s in from_bytes] == [s.urn for s in from_text] == [125273]


def test_reads_the_national_extract_layout_in_windows_1252(tmp_path: Path) -> None:
    header = (
        "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (code),"
        "TypeOfEstablishment (name),EstablishmentTypeGroup (code),"
        "EstablishmentTypeGroup (name),EstablishmentStatus (code),"
        "EstablishmentStatus (name),PhaseOfEducation (code),PhaseOfEducation (name),"
        "StatutoryLowAge,StatutoryHighAge,NumberOfPupils,Town,Postcode,Easting,"
        "Northing,LSOA (code)"
    )
    row = (
        "100000,201,City of London,Sir John Cass's Foundation Primary School,2,"
        "Voluntary aided school,4,Local authority maintained schools,1,Open,2,Primary,"
        "3,11,252,Café Town,EC3A 5DE,533498,181201,E01032739"
    )
    path = write_csv(tmp_path, [header, row], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    [school] = read_gias(path)

    assert school.town == "Café Town"
    assert school.la_code == "201"
    assert school.phase == "Primary"
    assert school.is_open and school.is_state_funded


def test_missing_required_column_is_an_error_on_line_1(tmp_path: Path) -> None:
    header = HEADER.replace('"EstablishmentName",', "").replace(',"LSOA (code)"', "")
    path = write_csv(tmp_path, [header, gias_row()])

    with pytest.raises(GiasError) as caught:
        read_gias(path)

    assert caught.value.line == 1
    assert "EstablishmentName" in caught.value.message
    assert "LSOA (code)" in caught.value.message
    assert str(caught.value).startswith("line 1: ")


def test_empty_file_is_an_error_on_line_1(tmp_path: Path) -> None:
    with pytest.raises(GiasError) as caught:
        read_gias(write_csv(tmp_path, [], newline=""))
    assert caught.value.line == 1


def test_every_bad_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,  # line 1
            gias_row("125273"),  # line 2
            gias_row("abc"),  # line 3
            gias_row("124981", "Horley Infant School"),  # line 4
            gias_row("125104", ""),  # line 5
        ],
    )

    with pytest.raises(GiasImportError) as caught:
        read_gias(path)

    errors = caught.value.errors
    assert [(e.line, e.message) for e in errors] == [
        (3, "URN 'abc' is not a number"),
        (5, "EstablishmentName is empty"),
    ]
    assert str(errors[0]) == "line 3: URN 'abc' is not a number"
    assert "line 3: URN 'abc' is not a number" in str(caught.value)
    assert "line 5: EstablishmentName is empty" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_line_numbers_count_physical_lines_of_multiline_fields(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [HEADER, gias_row("125273", "Oakwood\r\nSchool"), gias_row("-5")],
    )

    with pytest.raises(GiasImportError) as caught:
        read_gias(path)

    assert [e.line for e in caught.value.errors] == [4]


def test_bad_numbers_and_short_rows_are_errors(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [HEADER, gias_row(pupils="12.5"), gias_row("0"), '124981,"936","Surrey"'],
    )

    with pytest.raises(GiasImportError) as caught:
        read_gias(path)

    assert [(e.line, e.message) for e in caught.value.errors] == [
        (2, "NumberOfPupils '12.5' is not a number"),
        (3, "URN 0 is not a positive number"),
        (4, "row has 3 fields but the header has 22"),
    ]


def test_duplicate_urn_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER, gias_row("125273"), gias_row("125273", "Copy")])

    with pytest.raises(GiasImportError) as caught:
        read_gias(path)

    [error] = caught.value.errors
    assert error.line == 3
    assert error.message == "URN 125273 is already used on line 2"


def test_error_list_is_shortened_in_the_message(tmp_path: Path) -> None:
    lines = [HEADER] + [gias_row(f"x{i}") for i in range(8)]

    with pytest.raises(GiasImportError) as caught:
        read_gias(write_csv(tmp_path, lines))

    assert len(caught.value.errors) == 8
    assert str(caught.value).startswith("8 errors in GIAS file: line 2: ")
    assert str(caught.value).endswith("; and 3 more")


def test_errors_survive_copying_and_pickling() -> None:
    # deepcopy goes through the same __reduce__ protocol that pickle uses.
    error = copy.deepcopy(GiasImportError([GiasError(7, "URN is empty")]))
    assert [(e.line, e.message) for e in error.errors] == [(7, "URN is empty")]


@pytest.mark.parametrize(
    ("group", "type_", "expected"),
    [
        ("Local authority maintained schools", "Pupil referral unit", True),
        ("Academies", "Academy 16-19 converter", True),
        ("Free Schools", "Free schools", True),
        ("Special schools", "Community special school", True),
        ("Special schools", "Other independent special school", False),
        ("Special schools", "Non-maintained special school", False),
        ("Independent schools", "Other independent school", False),
        ("Children's Centres", "Children's centre", False),
        ("Children's centres", "Children's centre linked site", False),
        ("Colleges", "Further education", False),
        ("Universities", "Higher education institutions", False),
        ("Other types", "Special post 16 institution", False),
    ],
)
def test_is_state_funded(group: str, type_: str, expected: bool) -> None:
    school = _school(type_group=group, establishment_type=type_)
    assert school.is_state_funded is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [("Open", True), ("Open, but proposed to close", True), ("Closed", False)],
)
def test_is_open(status: str, expected: bool) -> None:
    assert _school(status=status).is_open is expected


def test_demo_data_holds_the_demo_cluster() -> None:
    cluster = json.loads((DEMO_DATA / "cluster.json").read_text(encoding="utf-8"))
    schools = {school.urn: school for school in read_gias(DEMO_DATA / "surrey_schools.csv")}

    assert all(school.is_open and school.is_state_funded for school in schools.values())
    assert cluster["partnership_name"] == f"{cluster['town']} Safer School Partnership"
    secondary = schools[cluster["secondary_urn"]]
    assert secondary.phase == "Secondary"
    assert (secondary.low_age, secondary.high_age) in {(11, 16), (11, 18)}
    assert 4 <= len(cluster["primary_urns"]) <= 6
    for urn in [cluster["secondary_urn"], *cluster["primary_urns"]]:
        school = schools[urn]
        assert school.is_open
        assert school.town == cluster["town"]
    for urn in cluster["primary_urns"]:
        assert schools[urn].phase == "Primary"
    other_secondaries = [
        s for s in schools.values() if s.phase == "Secondary" and s.town != cluster["town"]
    ]
    assert len(other_secondaries) >= 2


def _school(**changes: str) -> GiasSchool:
    fields: dict[str, object] = {
        "urn": 1,
        "name": "School",
        "la_code": "936",
        "la_name": "Surrey",
        "establishment_type": "Community school",
        "type_group": "Local authority maintained schools",
        "phase": "Primary",
        "status": "Open",
        "postcode": "",
        "town": "",
        "easting": None,
        "northing": None,
        "lsoa_code": "",
        "number_of_pupils": None,
        "low_age": None,
        "high_age": None,
    }
    fields.update(changes)
    return GiasSchool(**fields)  # type: ignore[arg-type]
