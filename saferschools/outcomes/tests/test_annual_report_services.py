"""Writing the annual report's sections: governors only, a version per save, a save over a newer
version refused, the same save twice recorded once, bad input named by field and nothing
changed, every write audited."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent, Partnership
from saferschools.outcomes.annual_report_services import (
    SECTION_MAX,
    ReportInput,
    annual_report_save,
)
from saferschools.outcomes.models import AnnualReport, Evaluation

from .annual_report_world import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(world):
    Partnership.objects.filter(pk=world.p.pk).update(started_on=date(2024, 9, 1))
    world.p.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


def save(actor, partnership, **fields):
    year = fields.pop("year", 2025)
    return annual_report_save(
        actor=actor, partnership=partnership, year=year, data=ReportInput(**fields), source="test"
    )


def events():
    return list(AuditEvent.objects.filter(object_type="outcomes.annualreport").order_by("seq"))


def test_a_governor_writes_then_changes_the_report(world, steering):
    report = save(steering, world.p, summary="  A good *first* year. ", priorities="Patrols")

    assert (report.year, report.version, report.summary) == (2025, 1, "A good *first* year.")
    assert report.updated_by == steering
    changed = save(steering, world.p, summary="A good first year.", priorities="Patrols", version=1)
    assert changed.pk == report.pk and changed.version == 2
    created, updated = events()
    assert (created.action, created.detail["fields"]) == (
        AuditAction.CREATE,
        ["priorities", "summary"],
    )
    assert (updated.action, updated.detail["fields"], updated.detail["version"]) == (
        AuditAction.UPDATE,
        ["summary"],
        2,
    )
    # The audit names the fields, never what they say.
    assert "good" not in str(updated.detail)


def test_the_same_save_twice_is_recorded_once(world, steering):
    save(steering, world.p, summary="Once", version=0)
    again = save(steering, world.p, summary="Once", version=0)

    assert again.version == 1
    assert AnnualReport.objects.count() == 1
    assert len(events()) == 1


def test_a_save_over_a_newer_version_is_refused_and_changes_nothing(world, steering, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    save(steering, world.p, summary="Mine", version=0)
    save(head, world.p, summary="Theirs", version=1)

    with pytest.raises(ValidationError) as refused:
        save(steering, world.p, summary="Mine again", version=1)

    assert "version" in refused.value.message_dict
    report = AnnualReport.objects.get()
    assert (report.summary, report.version) == ("Theirs", 2)
    assert len(events()) == 2


def test_a_first_save_with_nothing_in_it_is_refused(world, steering):
    with pytest.raises(ValidationError) as refused:
        save(steering, world.p, summary="   ")
    assert set(refused.value.message_dict) == {"summary"}
    assert not AnnualReport.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"successes": "x" * (SECTION_MAX + 1)}, "successes"),
        ({"summary": "x" * 5001}, "summary"),
        ({"case_studies": 12}, "case_studies"),
        ({"resources": ["a list"]}, "resources"),
        ({"summary": "Fine", "evaluation_id": "not-an-id"}, "evaluation"),
        (
            {"summary": "Fine", "evaluation_id": "6f1c1a0e-8d8b-4c57-9c3b-7c9a6f0f0f0f"},
            "evaluation",
        ),
    ],
)
def test_bad_input_is_named_and_changes_nothing(world, steering, fields, field):
    with pytest.raises(ValidationError) as refused:
        save(steering, world.p, **fields)
    assert field in refused.value.message_dict
    assert not AnnualReport.objects.exists()
    assert not events()


def test_control_characters_are_taken_out(world, steering):
    report = save(steering, world.p, summary="Safe\x00 year\x07")
    assert report.summary == "Safe year"


def test_an_evaluation_of_another_partnership_cannot_be_shown(world, steering):
    theirs = Evaluation.objects.create(
        partnership=world.q,
        indicator_id="overall_absence",
        started_on=date(2024, 9, 1),
        comparison_chosen=Evaluation.Chosen.AUTOMATIC,
        estimate=1.0,
        std_error=0.1,
        ci_low=0.8,
        ci_high=1.2,
        p_value=0.01,
        n_units=4,
        n_periods=4,
        n_observations=16,
    )
    with pytest.raises(ValidationError) as refused:
        save(steering, world.p, summary="Ours", evaluation_id=str(theirs.pk))
    assert set(refused.value.message_dict) == {"evaluation"}


@pytest.mark.parametrize("year", [2023, 2027, 1990])
def test_a_year_the_partnership_has_no_report_for_is_refused(world, steering, year):
    with pytest.raises(ValidationError) as refused:
        save(steering, world.p, summary="When?", year=year)
    assert set(refused.value.message_dict) == {"year"}


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SAFEGUARDING_LEAD, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.LA_ANALYST, "area"),
        (Role.STEERING_MEMBER, "q"),
    ],
)
def test_only_those_who_keep_its_governance_write_it(world, persona, role, scope):
    someone = persona(role, getattr(world, scope))
    with pytest.raises(ValidationError) as refused:
        save(someone, world.p, summary="Not mine to write")
    assert set(refused.value.message_dict) == {"partnership"}
    assert not AnnualReport.objects.exists()
