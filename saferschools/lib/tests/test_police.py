"""Reading data.police.uk street-level crime files: the real files, and every way one can be bad."""

import io
from datetime import date
from pathlib import Path

import pytest

from saferschools.lib.police import (
    COLUMNS,
    PoliceCrimeError,
    PoliceFileError,
    month_parse,
    read_street_crime,
)

DEMO_DATA = Path(__file__).resolve().parents[2] / "incidents" / "demo_data"
HEADER = ",".join(COLUMNS)
CRIME = (
    "abc123,2023-09,Surrey Police,Surrey Police,-0.163002,51.171009,On or near Parking Area,"
    "E01030583,Reigate and Banstead 013D,Vehicle crime,Under investigation,"
)
ASB = (
    ",2023-09,Surrey Police,Surrey Police,-0.197082,51.160809,On or near Parking Area,"
    "E01031575,Crawley 001C,Anti-social behaviour,,"
)
NO_LOCATION = (
    "def456,2023-09,Surrey Police,Surrey Police,,,No Location,,,Criminal damage and arson,"
    "Under investigation,"
)


def crime_file(*lines: str, ending: str = "\r\n", bom: bool = False) -> io.BytesIO:
    text = ending.join(lines) + ending
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def line_errors(*lines: str) -> list[tuple[int, str]]:
    with pytest.raises(PoliceFileError) as caught:
        read_street_crime(crime_file(HEADER, *lines))
    return [(error.line, error.message) for error in caught.value.errors]


# The real files


@pytest.mark.parametrize(
    ("name", "rows", "without_location", "asb"),
    [
        ("2023-09-surrey-street.csv", 7824, 122, 1361),
        ("2023-10-surrey-street.csv", 8002, 112, 1254),
        ("2023-11-surrey-street.csv", 7296, 116, 1077),
    ],
)
def test_real_surrey_files_read_whole(name, rows, without_location, asb):
    street = read_street_crime(DEMO_DATA / name)

    assert street.force == "Surrey Police"
    assert street.month == date(2023, int(name[5:7]), 1)
    assert len(street.crimes) == rows
    assert street.without_location == without_location
    asb_rows = [c for c in street.crimes if c.crime_type == "Anti-social behaviour"]
    assert len(asb_rows) == asb
    assert all(c.crime_id == "" and c.last_outcome == "" for c in asb_rows)
    assert all(
        len(c.crime_id) == 64 for c in street.crimes if c.crime_type != asb_rows[0].crime_type
    )
    unlocated = [c for c in street.crimes if not c.located]
    assert {c.location for c in unlocated} == {"No Location"}
    assert all(c.latitude is None and c.lsoa_code == "" for c in unlocated)


def test_real_file_first_row_is_read_as_published():
    street = read_street_crime(DEMO_DATA / "2023-09-surrey-street.csv")

    first = street.crimes[0]
    assert first.line == 2
    assert first.crime_id == "33a1500a09e1c89c04e79eac9d23e14f3572f71702313776098c29ac14b59154"
    assert (first.longitude, first.latitude) == (-0.101292, 51.514770)
    assert first.location == "On or near Amen Court"
    assert (first.lsoa_code, first.lsoa_name) == ("E01032739", "City of London 001F")
    assert (first.crime_type, first.last_outcome) == ("Drugs", "Under investigation")
    assert street.crimes[-1].line == 7825


# Line endings, byte-order mark and the published quirks


@pytest.mark.parametrize("ending", ["\r\n", "\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_crlf_lf_and_bom_read_alike(ending, bom):
    street = read_street_crime(crime_file(HEADER, CRIME, ASB, NO_LOCATION, ending=ending, bom=bom))

    assert [c.crime_type for c in street.crimes] == [
        "Vehicle crime",
        "Anti-social behaviour",
        "Criminal damage and arson",
    ]
    assert [c.line for c in street.crimes] == [2, 3, 4]
    assert street.crimes[0].context == ""
    assert street.crimes[0].last_outcome == "Under investigation"


def test_no_location_rows_are_kept_and_counted():
    street = read_street_crime(crime_file(HEADER, CRIME, NO_LOCATION, NO_LOCATION))

    assert len(street.crimes) == 3
    assert street.without_location == 2
    unlocated = street.crimes[1]
    assert not unlocated.located
    assert (unlocated.longitude, unlocated.latitude) == (None, None)
    assert unlocated.location == "No Location"


def test_empty_crime_id_on_anti_social_behaviour():
    (asb,) = read_street_crime(crime_file(HEADER, ASB)).crimes

    assert asb.crime_id == ""
    assert asb.crime_type == "Anti-social behaviour"
    assert asb.last_outcome == ""


def test_blank_lines_are_skipped_and_line_numbers_stay_physical():
    street = read_street_crime(crime_file(HEADER, CRIME, "", ASB))

    assert [c.line for c in street.crimes] == [2, 4]


def test_text_file_objects_are_read_too():
    street = read_street_crime(io.StringIO(f"{HEADER}\n{CRIME}\n"))

    assert street.crimes[0].crime_id == "abc123"


# The header


def test_wrong_header_fails_at_line_1_naming_the_column():
    header = HEADER.replace("Longitude", "Lng")

    with pytest.raises(PoliceCrimeError) as caught:
        read_street_crime(crime_file(header, CRIME))

    assert caught.value.line == 1
    assert "column 5 should be 'Longitude' but is 'Lng'" in str(caught.value)


def test_reordered_header_fails():
    columns = list(COLUMNS)
    columns[4], columns[5] = columns[5], columns[4]

    with pytest.raises(PoliceCrimeError, match="column 5 should be 'Longitude' but is 'Latitude'"):
        read_street_crime(crime_file(",".join(columns), CRIME))


def test_short_and_long_headers_fail():
    with pytest.raises(PoliceCrimeError, match="column 12 should be 'Context' but is nothing"):
        read_street_crime(crime_file(",".join(COLUMNS[:-1]), CRIME))
    with pytest.raises(PoliceCrimeError, match="header has 13 columns"):
        read_street_crime(crime_file(HEADER + ",Extra", CRIME))


def test_another_data_police_file_is_refused():
    outcomes = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type"

    with pytest.raises(PoliceCrimeError, match="line 1: column 10 should be 'Crime type'"):
        read_street_crime(crime_file(outcomes))


def test_empty_and_header_only_files_fail():
    with pytest.raises(PoliceCrimeError, match="line 1: the file is empty"):
        read_street_crime(io.BytesIO(b""))
    with pytest.raises(PoliceCrimeError, match="line 1: the file has a header but no crimes"):
        read_street_crime(crime_file(HEADER))


# Malformed rows: every problem, each with its line


def test_bad_month_names_its_line():
    assert line_errors(CRIME, CRIME.replace("2023-09", "2023-13")) == [
        (3, "Month '2023-13' is not a YYYY-MM month")
    ]
    assert line_errors(CRIME.replace("2023-09", "09/2023")) == [
        (2, "Month '09/2023' is not a YYYY-MM month")
    ]


def test_a_second_month_or_force_in_one_file_fails():
    assert line_errors(CRIME, ASB, CRIME.replace("2023-09", "2023-10")) == [
        (4, "Month 2023-10 differs from 2023-09 on line 2: a file holds one month")
    ]
    other_force = ASB.replace("Surrey Police,Surrey Police", "Sussex Police,Sussex Police")
    assert line_errors(CRIME, other_force) == [
        (
            3,
            "Reported by 'Sussex Police' differs from 'Surrey Police' on line 2: a file holds one force",
        )
    ]


def test_bad_longitude_and_latitude_name_their_line():
    bad_number = CRIME.replace("-0.163002", "-0.16x")
    outside = CRIME.replace("51.171009", "48.1")
    not_finite = CRIME.replace("-0.163002", "nan")

    assert line_errors(CRIME, bad_number, outside, not_finite) == [
        (3, "Longitude '-0.16x' is not a number"),
        (4, "Latitude '48.1' is outside the United Kingdom (49.0 to 61.0)"),
        (5, "Longitude 'nan' is not a number"),
    ]


def test_one_coordinate_without_the_other_fails():
    assert line_errors(CRIME.replace("51.171009", "")) == [
        (2, "Latitude is empty: give both coordinates or neither")
    ]


def test_truncated_row_names_its_line():
    truncated = CRIME[:40]  # the file cut off in the middle of a row

    assert line_errors(CRIME, ASB, truncated) == [(4, "the row has 4 fields but the header has 12")]


def test_row_with_an_extra_field_fails():
    assert line_errors(CRIME + ",extra") == [(2, "the row has 13 fields but the header has 12")]


def test_unclosed_quote_fails_at_the_line_it_opens():
    # The quote runs to the end of the file, taking the next row with it.
    errors = line_errors(CRIME, 'x,2023-09,"Surrey Police,Surrey Police', ASB)

    assert errors == [(3, "the row has 3 fields but the header has 12")]


def test_missing_crime_type_and_force_fail():
    no_type = CRIME.replace("Vehicle crime", "")
    no_force = "x,2023-09,,Surrey Police,,,No Location,,,Drugs,,"

    assert line_errors(CRIME, no_type, no_force) == [
        (3, "Crime type is empty"),
        (4, "Reported by is empty"),
    ]


def test_overlong_values_fail():
    long_id = CRIME.replace("abc123", "a" * 65)

    assert line_errors(long_id) == [(2, "Crime ID is longer than 64 characters")]


def test_every_problem_is_listed_in_one_error():
    with pytest.raises(PoliceFileError) as caught:
        read_street_crime(
            crime_file(HEADER, CRIME, CRIME.replace("2023-09", "x"), CRIME[:20], CRIME)
        )

    assert [error.line for error in caught.value.errors] == [3, 4]
    assert str(caught.value).startswith("2 errors in street-level crime file: line 3: ")


def test_text_that_is_not_utf8_or_windows_1252_fails():
    with pytest.raises(PoliceCrimeError, match="line 2: the file is neither UTF-8"):
        read_street_crime(io.BytesIO(HEADER.encode() + b"\r\n\x81\x8d\x8f\x90\x9d\r\n"))


# Months


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2023-09", date(2023, 9, 1)),
        (" 2010-12 ", date(2010, 12, 1)),
        ("2023-00", None),
        ("2023-9", None),
        ("2023-09-01", None),
        ("", None),
        ("0999-01", None),
    ],
)
def test_month_parse(text, month):
    assert month_parse(text) == month
