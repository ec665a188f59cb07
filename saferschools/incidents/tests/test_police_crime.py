"""Importing data.police.uk street-level files: the service, the command and the demo."""

import hashlib
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.incidents.crime import crime_month_import
from saferschools.incidents.demo import DEMO_DATA, demo_crime
from saferschools.incidents.models import CrimeMonth, PoliceCrime
from saferschools.lib.geo import distance, wgs84_to_bng
from saferschools.lib.police import COLUMNS, PoliceCrimeError, PoliceFileError

pytestmark = pytest.mark.django_db

SEPTEMBER = DEMO_DATA / "2023-09-surrey-street.csv"
HEADER = ",".join(COLUMNS)
ROW = (
    "{id},{month},Surrey Police,Surrey Police,-0.163002,51.171009,On or near Parking Area,"
    "E01030583,Reigate and Banstead 013D,{type},Under investigation,"
)
NO_LOCATION = (
    "nl1,{month},Surrey Police,Surrey Police,,,No Location,,,Criminal damage and arson,"
    "Under investigation,"
)
ASB = (
    ",{month},Surrey Police,Surrey Police,-0.197082,51.160809,On or near Parking Area,"
    "E01031575,Crawley 001C,Anti-social behaviour,,"
)


def street_file(*rows: str, month: str = "2023-09", ending: str = "\r\n") -> str:
    lines = [row.format(month=month, id="c1", type="Drugs") for row in rows]
    return ending.join([HEADER, *lines]) + ending


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def import_text(text: str):
    return crime_month_import(actor=None, file=io.StringIO(text), source="test")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_police_crime", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# The service


def test_a_real_month_is_imported_whole():
    result = crime_month_import(actor=None, file=SEPTEMBER, source="test", file_name=SEPTEMBER.name)

    assert (result.force, result.month) == ("Surrey Police", date(2023, 9, 1))
    assert (result.crimes, result.without_location, result.replaced) == (7824, 122, False)
    batch = CrimeMonth.objects.get()
    assert (batch.crimes, batch.without_location) == (7824, 122)
    assert batch.source == "2023-09-surrey-street.csv"
    assert PoliceCrime.objects.filter(batch=batch).count() == 7824
    assert PoliceCrime.objects.filter(easting__isnull=True).count() == 122
    assert PoliceCrime.objects.filter(latitude__isnull=True, northing__isnull=True).count() == 122
    assert (
        PoliceCrime.objects.filter(crime_type="Anti-social behaviour", crime_id="").count() == 1361
    )
    assert set(PoliceCrime.objects.values_list("month", flat=True)) == {date(2023, 9, 1)}


def test_positions_are_kept_as_published_and_on_the_grid():
    crime_month_import(actor=None, file=SEPTEMBER, source="test")

    amen_court = PoliceCrime.objects.get(
        crime_id="33a1500a09e1c89c04e79eac9d23e14f3572f71702313776098c29ac14b59154"
    )
    assert (amen_court.longitude, amen_court.latitude) == (-0.101292, 51.514770)
    expected = wgs84_to_bng(-0.101292, 51.514770)
    assert distance(amen_court.easting, amen_court.northing, *expected) <= 1
    # Amen Court, by St Paul's Cathedral in the City of London.
    assert 531_700 < amen_court.easting < 532_000
    assert 181_100 < amen_court.northing < 181_400
    assert amen_court.location == "On or near Amen Court"
    assert amen_court.lsoa_name == "City of London 001F"


def test_reimporting_a_month_replaces_it_and_never_duplicates():
    crime_month_import(actor=None, file=SEPTEMBER, source="test")
    first_ids = set(PoliceCrime.objects.values_list("pk", flat=True))

    again = crime_month_import(actor=None, file=SEPTEMBER, source="test")

    assert again.replaced
    assert CrimeMonth.objects.count() == 1
    assert PoliceCrime.objects.count() == 7824
    assert not first_ids & set(PoliceCrime.objects.values_list("pk", flat=True))


def test_a_corrected_month_replaces_the_earlier_rows():
    import_text(street_file(ROW.format(id="a", month="{month}", type="Burglary"), NO_LOCATION))

    result = import_text(street_file(ROW.format(id="b", month="{month}", type="Drugs")))

    assert result.replaced
    batch = CrimeMonth.objects.get()
    assert (batch.crimes, batch.without_location) == (1, 0)
    assert list(PoliceCrime.objects.values_list("crime_id", "crime_type")) == [("b", "Drugs")]


def test_other_months_and_forces_are_left_alone():
    import_text(street_file(ROW.format(id="sep", month="{month}", type="Drugs")))
    import_text(street_file(ROW.format(id="oct", month="{month}", type="Drugs"), month="2023-10"))
    other_force = ROW.replace("Surrey Police,Surrey Police", "Sussex Police,Sussex Police")
    import_text(street_file(other_force.format(id="sx", month="{month}", type="Drugs")))

    import_text(street_file(ROW.format(id="sep2", month="{month}", type="Drugs")))

    assert sorted(PoliceCrime.objects.values_list("crime_id", flat=True)) == [
        "oct",
        "sep2",
        "sx",
    ]
    assert CrimeMonth.objects.count() == 3


def test_rows_without_location_are_stored_with_nulls_and_counted():
    result = import_text(street_file(ASB, NO_LOCATION, NO_LOCATION, ending="\n"))

    assert (result.crimes, result.without_location) == (3, 2)
    unlocated = PoliceCrime.objects.filter(location="No Location")
    assert unlocated.count() == 2
    assert all(
        c.longitude is None and c.latitude is None and c.easting is None and c.northing is None
        for c in unlocated
    )
    asb = PoliceCrime.objects.get(crime_type="Anti-social behaviour")
    assert asb.crime_id == ""
    assert asb.easting is not None


def test_a_malformed_file_changes_nothing():
    crime_month_import(actor=None, file=SEPTEMBER, source="test")
    events = AuditEvent.objects.count()
    broken = street_file(ROW.format(id="a", month="{month}", type="Drugs"), "x,2023-09,Surrey")

    with pytest.raises(PoliceFileError) as caught:
        import_text(broken)

    assert [error.line for error in caught.value.errors] == [3]
    assert PoliceCrime.objects.count() == 7824
    assert CrimeMonth.objects.get().crimes == 7824
    assert AuditEvent.objects.count() == events


def test_a_wrong_header_changes_nothing():
    with pytest.raises(PoliceCrimeError) as caught:
        import_text(street_file(ROW).replace("Crime type", "Offence"))

    assert caught.value.line == 1
    assert not CrimeMonth.objects.exists()
    assert not PoliceCrime.objects.exists()


def test_an_import_is_audited():
    import_text(street_file(ROW.format(id="a", month="{month}", type="Drugs"), NO_LOCATION))
    import_text(street_file(ROW.format(id="a", month="{month}", type="Drugs")))

    batch = CrimeMonth.objects.get()
    events = AuditEvent.objects.filter(object_type="incidents.crimemonth", object_id=str(batch.pk))
    assert [(e.action, e.detail) for e in events] == [
        (
            AuditAction.CREATE,
            {"force": "Surrey Police", "month": "2023-09", "crimes": 2, "without_location": 1},
        ),
        (
            AuditAction.UPDATE,
            {"force": "Surrey Police", "month": "2023-09", "crimes": 1, "without_location": 0},
        ),
    ]
    assert all(e.source == "test" for e in events)
    assert audit_verify().first_bad_seq is None


# The command


def test_command_imports_files_and_reports_each(tmp_path):
    first = write(tmp_path, "2023-09-surrey-street.csv", street_file(ROW, NO_LOCATION, ASB))

    out, err = run(first, SEPTEMBER)

    lines = out.splitlines()
    assert lines[0] == (
        f"{first}: Surrey Police, 2023-09: 3 rows, 1 without location (stored, not counted near "
        "schools)."
    )
    assert lines[1] == (
        f"{SEPTEMBER}: Surrey Police, 2023-09: 7,824 rows, 122 without location (stored, not "
        "counted near schools); replaced the earlier import."
    )
    assert lines[2] == "Imported 2 of 2 file(s)."
    assert err == ""
    assert PoliceCrime.objects.count() == 7824


def test_command_walks_folders_for_street_files(tmp_path):
    archive = tmp_path / "archive"
    (archive / "2023-09").mkdir(parents=True)
    (archive / "2023-10").mkdir()
    write(archive / "2023-09", "2023-09-surrey-street.csv", street_file(ROW))
    write(archive / "2023-10", "2023-10-surrey-street.csv", street_file(ROW, month="2023-10"))
    write(archive / "2023-10", "2023-10-surrey-outcomes.csv", "not a street file\n")
    write(archive, "notes.txt", "nothing to import")

    out, _ = run(archive)

    assert "2023-09-surrey-street.csv: Surrey Police, 2023-09: 1 row," in out
    assert "2023-10-surrey-street.csv: Surrey Police, 2023-10: 1 row," in out
    assert "Imported 2 of 2 file(s)." in out
    assert sorted(CrimeMonth.objects.values_list("month", flat=True)) == [
        date(2023, 9, 1),
        date(2023, 10, 1),
    ]


def test_command_imports_the_good_files_and_names_the_bad_line(tmp_path):
    good = write(tmp_path, "2023-09-surrey-street.csv", street_file(ROW))
    bad = write(
        tmp_path,
        "2023-10-surrey-street.csv",
        street_file(ROW, ROW, ROW.replace("51.171009", "north"), month="2023-10"),
    )

    with pytest.raises(CommandError) as caught:
        run(tmp_path)

    assert str(caught.value) == f"Imported 1 of 2 file(s); not imported: {bad}."
    assert CrimeMonth.objects.get().month == date(2023, 9, 1)
    assert PoliceCrime.objects.count() == 1
    # What was said on the way: the good file's line, and the bad file's problem and line.
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_police_crime", str(good), str(bad), stdout=out, stderr=err)
    assert f"{good}: Surrey Police, 2023-09: 1 row," in out.getvalue()
    assert f"{bad}: not imported, nothing changed:" in err.getvalue()
    assert "line 4: Latitude 'north' is not a number" in err.getvalue()


def test_command_bad_file_leaves_the_earlier_import(tmp_path):
    run(SEPTEMBER)
    broken = write(tmp_path, "2023-09-surrey-street.csv", SEPTEMBER.read_text()[:5000])

    with pytest.raises(CommandError):
        run(broken)

    assert PoliceCrime.objects.count() == 7824
    assert CrimeMonth.objects.get().crimes == 7824


def test_command_refuses_missing_paths_and_empty_folders(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match=r"no \*-street.csv files in this folder"):
        run(tmp_path)
    assert not CrimeMonth.objects.exists()


def test_command_imports_a_file_named_twice_once(tmp_path):
    copy = shutil.copy(SEPTEMBER, tmp_path / SEPTEMBER.name)

    out, _ = run(copy, tmp_path, copy)

    assert out.count("7,824 rows") == 1
    assert "Imported 1 of 1 file(s)." in out


# The demo


def test_demo_imports_the_three_surrey_months_once():
    first = demo_crime()

    assert [(r.month, r.crimes, r.without_location) for r in first] == [
        (date(2023, 9, 1), 7824, 122),
        (date(2023, 10, 1), 8002, 112),
        (date(2023, 11, 1), 7296, 116),
    ]
    assert PoliceCrime.objects.count() == 7824 + 8002 + 7296

    assert demo_crime() == []
    assert PoliceCrime.objects.count() == 7824 + 8002 + 7296


def test_demo_files_are_the_published_bytes():
    digests = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(DEMO_DATA.glob("*.csv"))
    }

    assert digests == {
        "2023-09-surrey-street.csv": "b29dfcb059029e9b6005b896ee6b66b2c72b0d478136c884f066d3ab18064047",
        "2023-10-surrey-street.csv": "ff853ddf62a5e953294d53cf437ae3392ffdf5dc7c8b6e11bbcaf938b3ed3a63",
        "2023-11-surrey-street.csv": "38f7af137579017f54247e8b2bedf40296486af9a871036c4c233b2728d2380d",
    }
