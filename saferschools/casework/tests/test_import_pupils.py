import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from saferschools.casework.importing import PupilImportError, parse_year_group
from saferschools.casework.models import Pupil
from saferschools.casework.services import pupils_import
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

SIMS_HEADER = "Adno,UPN,Legal Forename,Legal Surname,DOB,Year"
GOOD = [
    "1001,A123456789012,Amy,Archer,31/01/2012,Year 8",
    "1002,,Ben,Baker,2011-05-06,9",
    "1003,B123456789012,Cara,Clark,01.02.2013,Y7",
]
SOURCE = "command:import_pupils"


@pytest.fixture
def write_csv(tmp_path):
    def write(*lines: str, header: str = SIMS_HEADER, encoding: str = "utf-8") -> str:
        path = tmp_path / "pupils.csv"
        path.write_bytes("\n".join([header, *lines]).encode(encoding) + b"\n")
        return str(path)

    return write


def run(urn, path, *args) -> str:
    out = io.StringIO()
    call_command("import_pupils", str(urn), path, *args, stdout=out)
    return out.getvalue()


def pupils_of(school):
    return Pupil.objects.filter(school=school)


def snapshot(school):
    return sorted(
        pupils_of(school).values_list(
            "school_pupil_id",
            "upn",
            "given_name",
            "family_name",
            "date_of_birth",
            "year_group",
            "on_roll",
        )
    )


def import_lines(school, *lines, header=SIMS_HEADER, **kwargs):
    text = "\n".join([header, *lines])
    return pupils_import(actor=None, school=school, file=io.StringIO(text), source="test", **kwargs)


def problems(error: PupilImportError) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in error.errors]


# The command


def test_command_imports_pupils_and_reports(world, write_csv):
    out = run(world.school_a.urn, write_csv(*GOOD))
    assert out == "Pupils of Oakwood School: 3 added, 0 updated, 0 unchanged, 0 marked as left.\n"
    amy = pupils_of(world.school_a).get(school_pupil_id="1001")
    assert amy.upn == "A123456789012"
    assert (amy.given_name, amy.family_name) == ("Amy", "Archer")
    assert amy.date_of_birth == date(2012, 1, 31)
    assert amy.year_group == 8
    assert amy.on_roll
    ben = pupils_of(world.school_a).get(school_pupil_id="1002")
    assert ben.upn == ""
    assert ben.date_of_birth == date(2011, 5, 6)
    assert pupils_of(world.school_a).get(school_pupil_id="1003").year_group == 7
    assert pupils_of(world.school_a).count() == 4


def test_reimport_updates_and_does_not_duplicate(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    changed = [GOOD[0], GOOD[1].replace(",9", ",10"), GOOD[2].replace("Cara", "Carys")]
    out = run(world.school_a.urn, write_csv(*changed))
    assert "0 added, 2 updated, 1 unchanged, 0 marked as left" in out
    assert pupils_of(world.school_a).count() == 4
    assert pupils_of(world.school_a).get(school_pupil_id="1002").year_group == 10
    assert pupils_of(world.school_a).get(school_pupil_id="1003").given_name == "Carys"


def test_same_pupil_id_at_another_school_is_another_pupil(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    run(world.school_b.urn, write_csv(*GOOD))
    assert pupils_of(world.school_a).filter(school_pupil_id="1001").count() == 1
    assert pupils_of(world.school_b).filter(school_pupil_id="1001").count() == 1


def test_unknown_urn_is_a_command_error(world, write_csv):
    with pytest.raises(CommandError, match="No school with URN 123"):
        run(123, write_csv(*GOOD))
    assert not Pupil.objects.filter(school_pupil_id="1001").exists()


def test_missing_file_is_a_command_error(world, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(world.school_a.urn, str(tmp_path / "absent.csv"))


def test_bad_file_is_a_command_error_listing_lines_and_changes_nothing(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    before = snapshot(world.school_a)
    events_before = AuditEvent.objects.count()
    bad = write_csv(
        GOOD[0].replace("Year 8", "Year 9"),
        "1004,,Dan,Dale,not a date,8",
        "1005,,Eve,Evans,03/04/2012,8",
        "1006,,,Ford,03/04/2012,Year 15",
    )
    with pytest.raises(CommandError) as caught:
        run(world.school_a.urn, bad, "--mark-leavers")
    message = str(caught.value)
    assert message.startswith("Nothing imported: 3 problem(s) in the file.")
    assert "line 3: date of birth 'not a date'" in message
    assert "line 5: the forename is empty" in message
    assert "line 5: year group 'Year 15' is not Nursery, Reception or Year 1 to 14" in message
    assert "line 2" not in message
    assert "line 4" not in message
    assert snapshot(world.school_a) == before
    assert AuditEvent.objects.count() == events_before


def test_mark_leavers_marks_missing_pupils_without_deleting(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    out = run(world.school_a.urn, write_csv(GOOD[0]), "--mark-leavers")
    assert "0 added, 0 updated, 1 unchanged, 3 marked as left" in out
    assert pupils_of(world.school_a).count() == 4
    assert set(pupils_of(world.school_a).filter(on_roll=True).values_list("school_pupil_id")) == {
        ("1001",)
    }
    world.pupil_a.refresh_from_db()
    assert world.pupil_a.on_roll is False
    # Another school's pupils are untouched.
    world.pupil_b.refresh_from_db()
    assert world.pupil_b.on_roll is True


def test_without_mark_leavers_missing_pupils_stay_on_roll(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    run(world.school_a.urn, write_csv(GOOD[0]))
    assert pupils_of(world.school_a).filter(on_roll=True).count() == 4


def test_a_leaver_who_returns_is_back_on_roll(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    run(world.school_a.urn, write_csv(GOOD[0]), "--mark-leavers")
    out = run(world.school_a.urn, write_csv(*GOOD))
    assert "0 added, 2 updated, 1 unchanged" in out
    assert pupils_of(world.school_a).get(school_pupil_id="1002").on_roll is True
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__fields=["on_roll"])
    assert event.count() == 3 + 2


def test_windows_1252_file_is_read(world, write_csv):
    run(world.school_a.urn, write_csv("2001,,Zoë,Brontë,05/06/2012,8", encoding="cp1252"))
    pupil = pupils_of(world.school_a).get(school_pupil_id="2001")
    assert (pupil.given_name, pupil.family_name) == ("Zoë", "Brontë")


def test_utf8_byte_order_mark_is_ignored(world, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + SIMS_HEADER + "\n" + GOOD[0] + "\n").encode("utf-8"))
    run(world.school_a.urn, str(path))
    assert pupils_of(world.school_a).filter(school_pupil_id="1001").exists()


# Headers


def test_arbor_style_headers_are_read(world, write_csv):
    header = "Student ID,First Name,Last Name,Date of Birth,Year Group"
    run(world.school_a.urn, write_csv("S-77,Amy,Archer,31/01/2012,Year 8", header=header))
    pupil = pupils_of(world.school_a).get(school_pupil_id="S-77")
    assert (pupil.given_name, pupil.family_name, pupil.year_group) == ("Amy", "Archer", 8)


@pytest.mark.parametrize(
    "header",
    [
        "ADNO,upn,LEGAL FORENAME,legal_surname,D.O.B.,year",
        " Admission Number , Unique Pupil Number ,Forename,Surname, Date-of-Birth ,NC Year Actual",
        "Extra,Pupil ID,Given Name,Family Name,Birth Date,Curriculum Year,Notes",
    ],
)
def test_headers_match_ignoring_case_spaces_and_punctuation(world, header):
    width = len(header.split(","))
    if width == 6:
        row = "1001,A123456789012,Amy,Archer,31/01/2012,8"
    else:
        row = "ignored,1001,Amy,Archer,31/01/2012,8,ignored"
    import_lines(world.school_a, row, header=header)
    pupil = pupils_of(world.school_a).get(school_pupil_id="1001")
    assert (pupil.given_name, pupil.family_name, pupil.year_group) == ("Amy", "Archer", 8)
    assert pupil.date_of_birth == date(2012, 1, 31)


def test_upn_is_the_id_when_there_is_no_id_column(world):
    header = "UPN,Forename,Surname,DOB,Year"
    import_lines(world.school_a, "A123456789012,Amy,Archer,31/01/2012,8", header=header)
    pupil = pupils_of(world.school_a).get(upn="A123456789012")
    assert pupil.school_pupil_id == "A123456789012"


def test_missing_required_column_is_an_error_on_line_1(world):
    header = "Adno,Legal Forename,DOB,Year"
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, "1001,Amy,31/01/2012,8", header=header)
    assert len(caught.value.errors) == 1
    line, message = problems(caught.value)[0]
    assert line == 1
    assert "missing column(s) for family_name" in message
    assert "docs/import-pupils.md" in message


def test_missing_id_and_upn_columns_is_an_error_naming_both(world):
    header = "Legal Forename,Legal Surname,DOB,Year"
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, "Amy,Archer,31/01/2012,8", header=header)
    assert problems(caught.value) == [
        (
            1,
            "missing column(s) for school_pupil_id (or upn); see the column mapping in "
            "docs/import-pupils.md",
        )
    ]


def test_missing_column_via_command_names_line_1(world, write_csv):
    path = write_csv("1001,Amy,31/01/2012,8", header="Adno,Legal Forename,DOB,Year")
    with pytest.raises(CommandError, match="line 1: missing column"):
        run(world.school_a.urn, path)


def test_empty_file_is_an_error(world, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="line 1: the file is empty"):
        run(world.school_a.urn, str(path))


# Rows


@pytest.mark.parametrize(
    ("written", "year_group"),
    [
        ("Year 7", 7),
        ("7", 7),
        ("Y7", 7),
        ("y 7", 7),
        ("Yr 10", 10),
        ("NC 11", 11),
        ("Year 14", 14),
        ("R", 0),
        ("Reception", 0),
        ("Year R", 0),
        ("N1", -1),
        ("N2", -1),
        ("Nursery", -1),
    ],
)
def test_year_group_is_read_as_schools_write_it(world, written, year_group):
    assert parse_year_group(written) == year_group
    import_lines(world.school_a, f"1001,,Amy,Archer,31/01/2012,{written}")
    assert pupils_of(world.school_a).get(school_pupil_id="1001").year_group == year_group


@pytest.mark.parametrize("written", ["Year 15", "15", "X", "", "Year Seven", "-2"])
def test_unrecognised_year_group_is_an_error(world, written):
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, f"1001,,Amy,Archer,31/01/2012,{written}")
    [(line, message)] = problems(caught.value)
    assert line == 2
    assert message.startswith(f"year group {written!r} is not")


@pytest.mark.parametrize(
    ("written", "born"),
    [
        ("31/01/2012", date(2012, 1, 31)),
        ("2012-01-31", date(2012, 1, 31)),
        ("31-01-2012", date(2012, 1, 31)),
        ("31.01.2012", date(2012, 1, 31)),
        ("31/01/12", date(2012, 1, 31)),
    ],
)
def test_date_of_birth_formats(world, written, born):
    import_lines(world.school_a, f"1001,,Amy,Archer,{written},8")
    assert pupils_of(world.school_a).get(school_pupil_id="1001").date_of_birth == born


@pytest.mark.parametrize("written", ["01/13/2012", "2090-01-01", "01/01/1950", "01/01/70"])
def test_implausible_date_of_birth_is_an_error(world, written):
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, f"1001,,Amy,Archer,{written},8")
    assert problems(caught.value)[0][1].startswith(f"date of birth {written!r}")


def test_upn_is_normalised_to_capitals(world):
    import_lines(world.school_a, "1001,a123 4567 89012,Amy,Archer,31/01/2012,8")
    assert pupils_of(world.school_a).get(school_pupil_id="1001").upn == "A123456789012"


@pytest.mark.parametrize("upn", ["A12345", "1234567890123", "A12345678901234", "AB23456789012"])
def test_malformed_upn_is_an_error(world, upn):
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, f"1001,{upn},Amy,Archer,31/01/2012,8")
    assert problems(caught.value) == [
        (2, f"UPN {upn!r} is not a valid unique pupil number"),
    ]


def test_temporary_upn_ending_in_a_letter_is_accepted(world):
    import_lines(world.school_a, "1001,A12345678901T,Amy,Archer,31/01/2012,8")
    assert pupils_of(world.school_a).get(school_pupil_id="1001").upn == "A12345678901T"


def test_upn_can_move_between_pupils_in_the_same_file(world):
    import_lines(
        world.school_a,
        "1001,A123456789012,Amy,Archer,31/01/2012,8",
        "1002,B123456789012,Ben,Baker,06/05/2011,9",
    )
    # The school corrects a mix-up: the two UPNs swap, and a third pupil takes a freed one.
    result = import_lines(
        world.school_a,
        "1001,B123456789012,Amy,Archer,31/01/2012,8",
        "1002,A123456789012,Ben,Baker,06/05/2011,9",
    )
    assert (result.created, result.updated) == (0, 2)
    assert pupils_of(world.school_a).get(school_pupil_id="1001").upn == "B123456789012"
    assert pupils_of(world.school_a).get(school_pupil_id="1002").upn == "A123456789012"

    import_lines(
        world.school_a,
        "1001,,Amy,Archer,31/01/2012,8",
        "1002,A123456789012,Ben,Baker,06/05/2011,9",
        "1003,B123456789012,Cara,Clark,01/02/2013,7",
    )
    assert pupils_of(world.school_a).get(school_pupil_id="1001").upn == ""
    assert pupils_of(world.school_a).get(school_pupil_id="1003").upn == "B123456789012"


def test_upn_held_by_a_pupil_not_in_the_file_is_an_error(world):
    import_lines(world.school_a, "1001,A123456789012,Amy,Archer,31/01/2012,8")
    before = snapshot(world.school_a)
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, "1002,A123456789012,Ben,Baker,06/05/2011,9")
    assert problems(caught.value) == [(2, "UPN 'A123456789012' belongs to pupil id '1001'")]
    assert snapshot(world.school_a) == before


def test_duplicate_pupil_id_names_both_lines(world, write_csv):
    path = write_csv(GOOD[0], GOOD[1], GOOD[2].replace("1003", "1001").replace("B1", "C1"))
    with pytest.raises(CommandError) as caught:
        run(world.school_a.urn, path)
    assert "line 4: pupil id '1001' is already used on line 2" in str(caught.value)
    assert not pupils_of(world.school_a).filter(school_pupil_id="1001").exists()


def test_duplicate_upn_names_both_lines(world):
    with pytest.raises(PupilImportError) as caught:
        import_lines(
            world.school_a,
            "1001,A123456789012,Amy,Archer,31/01/2012,8",
            "1002,A123456789012,Ben,Baker,06/05/2011,9",
        )
    assert problems(caught.value) == [(3, "UPN 'A123456789012' is already used on line 2")]


def test_line_numbers_are_physical_lines(world):
    # A quoted field may span lines; blank lines are skipped but still counted.
    with pytest.raises(PupilImportError) as caught:
        import_lines(
            world.school_a,
            '1001,,Amy,"Archer\nSmith",31/01/2012,8',
            "",
            "1002,,Ben,Baker,31/02/2011,9",
        )
    assert [line for line, _ in problems(caught.value)] == [2, 5]
    assert "control characters" in problems(caught.value)[0][1]


def test_every_bad_row_is_reported(world):
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, *[f"{n},,Amy,Archer,bad,8" for n in range(1, 61)])
    assert len(caught.value.errors) == 60
    assert "and 55 more" in str(caught.value)


# Audit


def test_created_and_updated_pupils_are_audited_without_names(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="casework.pupil")
    assert created.count() == 3
    new_ids = set(
        pupils_of(world.school_a)
        .filter(school_pupil_id__in=["1001", "1002", "1003"])
        .values_list("id", flat=True)
    )
    assert {event.object_id for event in created} == {str(pk) for pk in new_ids}
    for event in created:
        assert event.actor_id is None
        assert event.source == SOURCE
        assert event.detail == {
            "fields": ["date_of_birth", "family_name", "given_name", "upn", "year_group"],
            "school_urn": world.school_a.urn,
        }

    run(world.school_a.urn, write_csv(GOOD[0].replace("Amy", "Amelia"), *GOOD[1:]))
    amy = pupils_of(world.school_a).get(school_pupil_id="1001")
    updated = AuditEvent.objects.get(
        action=AuditAction.UPDATE, object_type="casework.pupil", object_id=str(amy.pk)
    )
    assert updated.detail == {"fields": ["given_name"], "school_urn": world.school_a.urn}

    for event in AuditEvent.objects.all():
        text = repr(event.detail)
        for private in ("Amy", "Amelia", "Archer", "Baker", "Clark", "2012", "A123456789012"):
            assert private not in text


def test_import_is_summarised_on_the_school(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    event = AuditEvent.objects.get(object_type="core.school", object_id=str(world.school_a.pk))
    assert event.action == AuditAction.UPDATE
    assert event.detail == {
        "change": "pupil_import",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "left": 0,
    }


def test_unchanged_reimport_writes_no_pupil_event(world, write_csv):
    run(world.school_a.urn, write_csv(*GOOD))
    events = AuditEvent.objects.filter(object_type="casework.pupil").count()
    run(world.school_a.urn, write_csv(*GOOD))
    assert AuditEvent.objects.filter(object_type="casework.pupil").count() == events


def test_service_records_the_acting_user(world, dsl):
    import_lines(world.school_a, GOOD[0])
    pupils_import(
        actor=dsl,
        school=world.school_a,
        file=io.BytesIO("\n".join([SIMS_HEADER, GOOD[0].replace("Year 8", "9")]).encode()),
        source="web:casework-import-pupils",
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="casework.pupil")
    assert event.actor_id == dsl.pk
    assert event.actor_email == dsl.email
    assert event.detail["fields"] == ["year_group"]


def test_existing_pupil_made_by_a_factory_is_matched_on_id(world):
    pupil = PupilFactory(school=world.school_a, school_pupil_id="1001", upn="")
    import_lines(world.school_a, GOOD[0])
    pupil.refresh_from_db()
    assert (pupil.given_name, pupil.upn) == ("Amy", "A123456789012")
    assert pupils_of(world.school_a).count() == 2


def test_a_file_without_a_upn_column_keeps_the_upns_held(world):
    import_lines(world.school_a, *GOOD)
    import_lines(
        world.school_a,
        "1001,Amy,Archer,31/01/2012,Year 9",
        header="Adno,Legal Forename,Legal Surname,DOB,Year",
    )
    amy = pupils_of(world.school_a).get(school_pupil_id="1001")
    assert amy.upn == "A123456789012"
    assert amy.year_group == 9


def test_year_group_with_a_non_breaking_space_is_read():
    assert parse_year_group("Year\u00a07") == 7


def test_a_file_with_no_pupils_is_refused_and_takes_nobody_off_roll(world):
    import_lines(world.school_a, *GOOD)
    on_roll = pupils_of(world.school_a).filter(on_roll=True).count()
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, mark_leavers=True)
    assert problems(caught.value) == [(2, "the file has a header row but no pupils")]
    assert pupils_of(world.school_a).filter(on_roll=True).count() == on_roll > 0


def test_names_with_hidden_characters_are_refused(world):
    with pytest.raises(PupilImportError) as caught:
        import_lines(world.school_a, "1001,,Am\u202ey,Archer,31/01/2012,8")
    assert caught.value.errors[0].line == 2
    assert "control characters" in caught.value.errors[0].message


def test_an_unreadable_file_is_a_command_error(world, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(CommandError, match="neither UTF-8 nor Windows-1252"):
        run(world.school_a.urn, str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run(world.school_a.urn, str(tmp_path))
