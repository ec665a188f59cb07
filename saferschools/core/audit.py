"""The audit log: append-only and hash-chained.

Every read of personal data and every change, export, share and sign-in writes one event through
``audit_record``. An event names who acted, what they did, to which object and from which part
of the product, and never holds the content of personal data. Each event's hash covers its own
fields and the hash of the event before it; ``audit_verify`` walks the chain.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditAction, AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def _hash_of(event: AuditEvent) -> str:
    """SHA-256 over the event's fields and its predecessor's hash, in a canonical JSON form."""
    payload = json.dumps(
        {
            "seq": event.seq,
            "at": event.at.astimezone(UTC).isoformat(),
            "actor_id": str(event.actor_id) if event.actor_id else "",
            "actor_email": event.actor_email,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "source": event.source,
            "detail": event.detail,
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def audit_source(request: HttpRequest | None, default: str = "web") -> str:
    """Name the part of the product a request came through, e.g. ``api:api-pupils``."""
    if request is None:
        return default
    match = getattr(request, "resolver_match", None)
    prefix = "api" if request.path.startswith("/api/") else "web"
    return f"{prefix}:{match.url_name}" if match and match.url_name else prefix


def _check_detail(detail: dict[str, Any]) -> None:
    # Detail holds identifiers and counts only; floats would not survive every database's JSON
    # round trip bit for bit, and the chain must verify on SQLite and PostgreSQL alike.
    for key, value in detail.items():
        if isinstance(value, float) or not isinstance(value, str | int | bool | list | None):
            raise TypeError(f"Audit detail {key!r} must be a string, integer, boolean or list.")


def _locked_head() -> AuditHead:
    """The chain's head row, locked for this transaction.

    A migration makes the row; should it be missing (a database flushed by hand or by a test),
    it is made again from the last stored event, so that the chain carries on where it was.
    """
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEvent.objects.order_by("-seq").first()
        AuditHead.objects.get_or_create(
            pk=1,
            defaults={"seq": last.seq, "hash": last.hash} if last else {"hash": GENESIS_HASH},
        )
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _append(
    *,
    actor: Any,
    action: AuditAction | str,
    source: str,
    targets: list[tuple[str, str]],
    detail: dict[str, Any] | None,
    details: list[dict[str, Any]] | None = None,
) -> list[AuditEvent]:
    """Append one event per (object type, object id), chained, in the caller's transaction;
    ``details``, if given, adds to ``detail`` for each target in turn."""
    detail = dict(detail or {})
    _check_detail(detail)
    own = [{**detail, **extra} for extra in details] if details is not None else None
    for each in own or []:
        _check_detail(each)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    actor_id = actor.pk if is_user else None
    actor_email = actor.email if is_user else ""

    head = _locked_head()
    at = timezone.now()
    seq, prev_hash = head.seq, head.hash
    events = []
    for index, (object_type, object_id) in enumerate(targets):
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_email=actor_email,
            action=str(action),
            object_type=object_type,
            object_id=object_id,
            source=source,
            detail=own[index] if own is not None else detail,
            prev_hash=prev_hash,
        )
        # The same function hashes here and in audit_verify, so the two can never disagree.
        event.hash = prev_hash = _hash_of(event)
        events.append(event)
    AuditEvent.objects.bulk_create(events)
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)
    return events


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    source: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    Runs in the caller's transaction when there is one, so the event and the change it records
    commit or roll back together. The chain's head row is locked first: concurrent writers append
    one after another and every event's ``prev_hash`` is the hash of the event just before it.
    """
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    (event,) = _append(
        actor=actor,
        action=action,
        source=source,
        targets=[(object_type, object_id)],
        detail=detail,
    )
    return event


@transaction.atomic
def audit_record_many(
    *,
    actor: Any,
    action: AuditAction | str,
    source: str,
    objects: Iterable[models.Model],
    detail: dict[str, Any] | None = None,
    details: Iterable[dict[str, Any]] | None = None,
) -> int:
    """Record the same action on each object (a listing of personal data); returns the count.

    One event per object, chained as ``audit_record`` chains them, with the head locked and
    moved once: a listing costs the same few queries however many objects it shows.
    ``details``, one per object, adds to ``detail`` what differs between them (the grant each
    pupil is read through, say).
    """
    objects = list(objects)
    targets = [(obj._meta.label_lower, str(obj.pk)) for obj in objects]
    extras = list(details) if details is not None else None
    if extras is not None and len(extras) != len(targets):
        raise ValueError("Give one detail per object, or none.")
    if targets:
        _append(
            actor=actor,
            action=action,
            source=source,
            targets=targets,
            detail=detail,
            details=extras,
        )
    return len(targets)


@dataclass(frozen=True)
class AuditVerification:
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None and not self.problem


def audit_verify() -> AuditVerification:
    """Walk the whole chain in order and report the first event that does not match.

    Catches an event whose fields were altered (its hash no longer matches), one that was removed
    (a gap in ``seq`` or a ``prev_hash`` that points elsewhere) and removed events at the end
    (the head row names a later event than the last one stored).
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return AuditVerification(
                checked, expected_seq, f"event #{expected_seq} is missing (next is #{event.seq})"
            )
        if event.prev_hash != expected_prev:
            return AuditVerification(
                checked, event.seq, f"event #{event.seq} does not follow the event before it"
            )
        if _hash_of(event) != event.hash:
            return AuditVerification(
                checked, event.seq, f"event #{event.seq} was altered: its hash does not match"
            )
        checked += 1
        expected_prev = event.hash
        expected_seq += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or (checked and head.hash != expected_prev)):
        return AuditVerification(
            checked,
            checked + 1,
            f"the log ends at event #{checked} but event #{head.seq} was recorded",
        )
    return AuditVerification(checked)
