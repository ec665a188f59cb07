"""The audit log: a hash chain that the ORM cannot rewrite and ``verify_audit`` checks."""

import io
import threading

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory

from saferschools.accounts.models import User
from saferschools.casework.selectors import pupil_get
from saferschools.core.audit import GENESIS_HASH, _hash_of, audit_record, audit_verify
from saferschools.core.models import AuditAction, AuditEvent, AuditHead

pytestmark = pytest.mark.django_db


def _record(count: int, *, actor=None, obj=None) -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            source="test",
            obj=obj,
            object_type="" if obj else "test.thing",
            object_id="" if obj else f"thing-{n}",
            detail={"n": n},
        )
        for n in range(1, count + 1)
    ]


def _raw(sql: str, params: list) -> None:
    """Run SQL straight at the database, behind the ORM's back, as an intruder would."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def _verify_fails() -> CommandError:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode != 0
    return failure.value


def test_audit_record_chains_events():
    first, second, third = _record(3)

    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (3, third.hash)


def test_audit_record_names_actor_and_object(world, dsl):
    event = audit_record(actor=dsl, action=AuditAction.VIEW, source="test", obj=world.pupil_a)

    assert event.actor_id == dsl.pk
    assert event.actor_email == dsl.email
    assert (event.object_type, event.object_id) == ("casework.pupil", str(world.pupil_a.pk))


def test_pupil_view_event_holds_no_personal_data(world, dsl):
    pupil = world.pupil_a
    pupil.given_name, pupil.family_name = "Zephyrine", "Quartermaine"
    pupil.save()

    pupil_get(user=dsl, pupil_id=pupil.pk, source="web:casework-pupil")

    event = AuditEvent.objects.get(object_type="casework.pupil", object_id=str(pupil.pk))
    assert event.action == AuditAction.VIEW
    stored = " ".join(
        str(value) for value in AuditEvent.objects.filter(pk=event.pk).values()[0].values()
    )
    dob = pupil.date_of_birth
    for personal in (
        "Zephyrine",
        "Quartermaine",
        dob.isoformat(),
        dob.strftime("%d/%m/%Y"),
        dob.strftime("%d-%m-%Y"),
        pupil.school_pupil_id,
    ):
        assert personal not in stored


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.save(),
        lambda e: e.delete(),
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(action=AuditAction.EXPORT),
        lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
        lambda e: AuditEvent.objects.all().delete(),
        lambda e: AuditEvent.objects.update(object_id="x"),
        lambda e: AuditEvent.objects.bulk_update([e], ["object_id"]),
    ],
    ids=["save", "delete", "qs-update", "qs-delete", "all-delete", "mgr-update", "bulk-update"],
)
def test_orm_cannot_change_or_delete_events(change):
    event = _record(2)[0]
    event.object_id = "rewritten"

    with pytest.raises(PermissionError):
        change(event)

    assert AuditEvent.objects.count() == 2
    assert AuditEvent.objects.get(seq=1).object_id == "thing-1"
    assert audit_verify().ok


def test_admin_cannot_add_change_or_delete_events():
    superuser = User.objects.create_superuser("root@operator.example", "x" * 20, full_name="Root")
    request = RequestFactory().get("/admin/core/auditevent/")
    request.user = superuser
    event_admin = admin.site._registry[AuditEvent]
    event = _record(1)[0]

    assert event_admin.has_view_permission(request, event)
    assert not event_admin.has_add_permission(request)
    assert not event_admin.has_change_permission(request)
    assert not event_admin.has_change_permission(request, event)
    assert not event_admin.has_delete_permission(request)
    assert not event_admin.has_delete_permission(request, event)


def test_audit_verify_passes_on_intact_chain():
    assert audit_verify().ok
    assert audit_verify().checked == 0

    _record(5)

    result = audit_verify()
    assert result.ok
    assert result.checked == 5


def test_verify_audit_command_reports_events_checked():
    _record(4)

    out = io.StringIO()
    call_command("verify_audit", stdout=out)

    assert "4 events checked" in out.getvalue()


@pytest.mark.parametrize(
    ("sql", "column", "value"),
    [
        ("UPDATE {table} SET action = %s WHERE seq = %s", "action", AuditAction.EXPORT.value),
        ("UPDATE {table} SET object_id = %s WHERE seq = %s", "object_id", "someone-else"),
    ],
    ids=["action", "object_id"],
)
def test_verify_audit_catches_row_altered_in_database(sql, column, value):
    _record(4)

    _raw(sql, [value, 2])

    assert getattr(AuditEvent.objects.get(seq=2), column) == value
    error = _verify_fails()
    assert "event #2" in str(error)
    assert "altered" in str(error)


def test_verify_audit_catches_row_deleted_in_middle():
    _record(4)

    _raw("DELETE FROM {table} WHERE seq = %s", [2])

    error = _verify_fails()
    assert "event #2 is missing" in str(error)


def test_verify_audit_catches_last_rows_deleted():
    _record(5)

    _raw("DELETE FROM {table} WHERE seq > %s", [3])

    error = _verify_fails()
    assert "ends at event #3" in str(error)
    assert "event #5 was recorded" in str(error)


def test_verify_audit_catches_altered_row_whose_hash_was_recomputed():
    """A forger who recomputes the altered row's own hash still breaks the next row's link."""
    _record(3)
    _raw("UPDATE {table} SET action = %s WHERE seq = %s", [AuditAction.DELETE.value, 2])
    forged = _hash_of(AuditEvent.objects.get(seq=2))
    _raw("UPDATE {table} SET hash = %s WHERE seq = %s", [forged, 2])

    error = _verify_fails()
    assert "event #3 does not follow the event before it" in str(error)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="SQLite serialises every writer on one lock; the row lock is PostgreSQL's to test.",
)
def test_concurrent_writers_keep_one_gapless_chain(transactional_db, django_db_serialized_rollback):
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            start.wait(timeout=10)
            for n in range(20):
                audit_record(
                    actor=None,
                    action=AuditAction.VIEW,
                    source="test",
                    object_type="test.thread",
                    object_id=f"{name}-{n}",
                )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 41)
    )
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == 40


def test_a_listing_can_give_each_object_its_own_detail_in_one_append(db, world, dsl):
    from saferschools.core.audit import audit_record_many, audit_verify

    pupils = [world.pupil_a, world.pupil_b]
    audit_record_many(
        actor=dsl,
        action=AuditAction.VIEW,
        source="test",
        objects=pupils,
        detail={"listing": True},
        details=[{"grant": "one"}, {"grant": "two"}],
    )
    events = list(AuditEvent.objects.filter(source="test").order_by("seq"))
    assert [e.detail for e in events] == [
        {"listing": True, "grant": "one"},
        {"listing": True, "grant": "two"},
    ]
    assert audit_verify().ok
    with pytest.raises(ValueError):
        audit_record_many(
            actor=dsl,
            action=AuditAction.VIEW,
            source="test",
            objects=pupils,
            details=[{"grant": "one"}],
        )
