"""``manage.py import_schools``: a GIAS download into an area, by URN, all or nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from saferschools.core.models import Area, AuditAction, AuditEvent, School

pytestmark = pytest.mark.django_db

HEADER = (
    "URN,EstablishmentName,LA (code),LA (name),TypeOfEstablishment (name),"
    "EstablishmentTypeGroup (name),PhaseOfEducation (name),EstablishmentStatus (name),"
    "Postcode,Town,Easting,Northing,LSOA (code),NumberOfPupils,StatutoryLowAge,StatutoryHighAge"
)
ACADEMY = (
    "700001,Northfield Academy,936,Surrey,Academy converter,Academies,Secondary,Open,"
    "RH6 7NT,Horley,528000,143000,E01030800,1100,11,16"
)
PRIMARY = (
    "700002,Southfield Primary School,936,Surrey,Community school,"
    'Local authority maintained schools,Primary,"Open, but proposed to close",'
    "RH6 8AB,Horley,527500,142500,E01030801,420,4,11"
)
INDEPENDENT = (
    "700003,St Elsewhere's Preparatory School,936,Surrey,Other independent school,"
    "Independent schools,Not applicable,Open,RH6 9ZZ,Horley,529000,144000,E01030802,210,3,13"
)


def _gias(tmp_path, *rows: str, name: str = "gias.csv") -> str:
    path = tmp_path / name
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    return str(path)


def _import(path: str, *options: str, area: str = "Testshire") -> str:
    out = io.StringIO()
    call_command("import_schools", path, "--area", area, *options, stdout=out)
    return out.getvalue()


def test_import_creates_state_funded_schools_in_area(tmp_path):
    output = _import(_gias(tmp_path, ACADEMY, PRIMARY, INDEPENDENT))

    assert "2 added, 0 updated, 0 unchanged, 1 skipped" in output
    area = Area.objects.get(name="Testshire")
    assert set(School.objects.values_list("urn", flat=True)) == {700001, 700002}
    academy = School.objects.get(urn=700001)
    assert academy.area == area
    assert academy.name == "Northfield Academy"
    assert (academy.postcode, academy.easting, academy.northing) == ("RH6 7NT", 528000, 143000)
    assert (academy.low_age, academy.high_age, academy.number_of_pupils) == (11, 16, 1100)
    assert School.objects.get(urn=700002).is_open


def test_reimport_updates_changed_school_and_never_duplicates(tmp_path):
    _import(_gias(tmp_path, ACADEMY, PRIMARY))
    first_id = School.objects.get(urn=700001).pk
    renamed = ACADEMY.replace("Northfield Academy", "Northfield Academy Trust School")

    output = _import(_gias(tmp_path, renamed, PRIMARY, name="again.csv"))

    assert "0 added, 1 updated, 1 unchanged, 0 skipped" in output
    assert School.objects.count() == 2
    academy = School.objects.get(urn=700001)
    assert academy.pk == first_id
    assert academy.name == "Northfield Academy Trust School"
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(academy.pk))
    assert update.detail == {"fields": ["name"]}


def test_independent_schools_only_with_all_types(tmp_path):
    path = _gias(tmp_path, ACADEMY, INDEPENDENT)

    _import(path)
    assert not School.objects.filter(urn=700003).exists()

    output = _import(path, "--all-types")
    assert "1 added, 0 updated, 1 unchanged, 0 skipped" in output
    assert School.objects.get(urn=700003).type_group == "Independent schools"


def test_bad_row_refused_naming_line_and_nothing_changes(tmp_path):
    _import(_gias(tmp_path, ACADEMY))
    renamed = ACADEMY.replace("Northfield Academy", "Renamed Academy")
    bad = PRIMARY.replace("527500", "five hundred")
    counts = (School.objects.count(), Area.objects.count(), AuditEvent.objects.count())

    with pytest.raises(CommandError) as refused:
        # A new area too: not even the area may be left behind by a refused file.
        _import(_gias(tmp_path, renamed, INDEPENDENT, bad, name="bad.csv"), area="Elsewhere")

    assert "line 4" in str(refused.value)
    assert "Easting" in str(refused.value)
    assert (School.objects.count(), Area.objects.count(), AuditEvent.objects.count()) == counts
    assert School.objects.get(urn=700001).name == "Northfield Academy"
    assert not Area.objects.filter(name="Elsewhere").exists()


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        _import(str(tmp_path / "absent.csv"))

    assert not School.objects.exists()
    assert not Area.objects.exists()


def test_each_created_school_is_audited(tmp_path):
    _import(_gias(tmp_path, ACADEMY, PRIMARY))

    for school in School.objects.all():
        event = AuditEvent.objects.get(object_type="core.school", object_id=str(school.pk))
        assert event.action == AuditAction.CREATE
        assert event.source == "command:import_schools"
        assert event.actor_id is None
