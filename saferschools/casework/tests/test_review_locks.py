"""Every change to a pupil's casework locks the pupil's row before it checks that the record is
not awaiting another school's confirmation, as sending the record does before it takes its
snapshot: a change and a sending never cross. Where the database has row locks (PostgreSQL),
the lock is seen in the queries each service makes."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saferschools.casework import (
    assessment_services,
    meeting_services,
    plan_services,
    referral_services,
)
from saferschools.casework.models import ReferralStatus
from saferschools.lib.schooldays import LONDON

from .test_chronology import casework_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not connection.features.has_select_for_update, reason="the database has no row locks"
    ),
]


def _pupil_locked_before_transfer_check(queries) -> bool:
    sqls = [query["sql"] for query in queries]
    locks = [
        index
        for index, sql in enumerate(sqls)
        if 'FROM "casework_pupil"' in sql and "FOR UPDATE" in sql
    ]
    # The check itself, not the access policy's subquery about moved pupils.
    checks = [
        index for index, sql in enumerate(sqls) if sql.startswith('SELECT "casework_pupiltransfer"')
    ]
    return bool(locks and checks) and locks[0] < checks[0]


def test_recording_an_assessment_locks_the_pupil_first(world, dsl):
    with CaptureQueriesContext(connection) as queries:
        assessment_services.assessment_record(
            actor=dsl, pupil=world.pupil_a, factors=[], source="test"
        )
    assert _pupil_locked_before_transfer_check(queries)


def test_making_and_answering_a_referral_lock_the_pupil_first(world, dsl):
    with CaptureQueriesContext(connection) as made:
        referral = referral_services.referral_create(
            actor=dsl,
            pupil=world.pupil_a,
            data=referral_services.ReferralInput(agency_id=str(world.yot.pk), reason="Worried"),
            source="test",
        )
    assert _pupil_locked_before_transfer_check(made)
    with CaptureQueriesContext(connection) as answered:
        referral_services.referral_update_status(
            actor=dsl, referral=referral, status=ReferralStatus.ACCEPTED, source="test"
        )
    assert _pupil_locked_before_transfer_check(answered)


def test_changing_a_plan_locks_the_pupil_first(world, dsl):
    record = casework_record(world, dsl, world.pupil_a)
    with CaptureQueriesContext(connection) as queries:
        plan_services.plan_update(
            actor=dsl,
            plan=record.plan,
            lead_professional_id=str(dsl.pk),
            concerns="Changed concerns",
            goals=record.plan.goals,
            source="test",
        )
    assert _pupil_locked_before_transfer_check(queries)


def test_recording_a_meeting_locks_the_pupils_discussed_first(world, dsl):
    with CaptureQueriesContext(connection) as queries:
        meeting_services.meeting_record(
            actor=dsl,
            school=world.school_a,
            data=meeting_services.MeetingInput(
                title="Panel",
                held_at=datetime(2026, 3, 4, 15, 30, tzinfo=LONDON),
                pupils=[
                    meeting_services.PupilNoteInput(pupil_id=str(world.pupil_a.pk), note="Note")
                ],
                actions=[
                    meeting_services.ActionInput(
                        description="Call home",
                        due_on=timezone.localdate() + timedelta(days=2),
                        owner_name="Jo Parent",
                    )
                ],
            ),
            source="test",
        )
    assert _pupil_locked_before_transfer_check(queries)
