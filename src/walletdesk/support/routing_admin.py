"""Supervisors' queue configuration (audited) and the queue board (sizes, oldest wait).

A change applies to cases queued from then on; cases already waiting keep their queue (and
are still dispatched from it, active or not). At least one queue stays active: the last
active queue takes the cases no other queue matches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support.models import CaseType, Priority
from walletdesk.support.routing_load import dispatch_after_commit, routing_queues
from walletdesk.support.routing_model import (
    Queue,
    QueueStats,
    RiskFlag,
    check_choices,
    check_languages,
    check_slug,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

POSITION_MAX = 10_000


class QueueNotFound(NotFound):
    default_code = "queue_not_found"
    default_message = N_("We could not find this queue.")


@dataclass(frozen=True)
class QueueSpec:
    """What a supervisor sets on a queue. Empty match lists take any case."""

    name_zh: str
    name_en: str
    position: int
    case_types: Sequence[str] = ()
    locales: Sequence[str] = ()
    priorities: Sequence[str] = ()
    risk_flags: Sequence[str] = ()
    skill_language: str | None = None
    skill_topic: str | None = None
    active: bool = True


EDITABLE = frozenset(f.name for f in dataclasses.fields(QueueSpec))


def _checked(spec: QueueSpec) -> QueueSpec:
    names = (spec.name_zh.strip()[:64], spec.name_en.strip()[:64])
    if not names[0]:
        raise ValidationFailed("queue_name_required", field="name_zh")
    if not names[1]:
        raise ValidationFailed("queue_name_required", field="name_en")
    if not 0 <= spec.position <= POSITION_MAX:
        raise ValidationFailed("invalid_position", field="position")
    language = spec.skill_language
    if language is not None:
        language = check_languages([language], "skill_language")[0]
    topic = check_slug(spec.skill_topic, "skill_topic") if spec.skill_topic else None
    return QueueSpec(
        name_zh=names[0],
        name_en=names[1],
        position=spec.position,
        case_types=check_choices(spec.case_types, [t.value for t in CaseType], "case_types"),
        locales=check_languages(spec.locales, "locales"),
        priorities=check_choices(spec.priorities, [p.value for p in Priority], "priorities"),
        risk_flags=check_choices(spec.risk_flags, [f.value for f in RiskFlag], "risk_flags"),
        skill_language=language,
        skill_topic=topic,
        active=spec.active,
    )


def _apply(queue: Queue, spec: QueueSpec) -> None:
    queue.name_zh, queue.name_en, queue.position = spec.name_zh, spec.name_en, spec.position
    queue.case_types = tuple(spec.case_types)
    queue.locales = tuple(spec.locales)
    queue.priorities = tuple(spec.priorities)
    queue.risk_flags = tuple(spec.risk_flags)
    queue.skill_language, queue.skill_topic = spec.skill_language, spec.skill_topic
    queue.active = spec.active


def _spec_of(queue: Queue) -> QueueSpec:
    return QueueSpec(**{name: getattr(queue, name) for name in EDITABLE})


def create_queue(rt: Runtime, actor: Actor, queue_id: str, spec: QueueSpec) -> Queue:
    key = check_slug(queue_id, "id")
    checked = _checked(spec)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        routing_queues(uow, now)
        if uow.routing.queues.get(key) is not None:
            raise Conflict("queue_exists", N_("A queue with this id already exists."))
        queue = Queue(key, "", "", 0, created_at=now, updated_at=now, updated_by=actor.id)
        _apply(queue, checked)
        uow.routing.queues.add(queue)
        record(
            uow,
            at=now,
            actor=actor,
            action="routing.queue_created",
            subject_kind="routing_queue",
            subject_id=key,
            details=_audit_details(checked),
        )
        dispatch_after_commit(rt, uow)
        uow.commit()
    return queue


def update_queue(rt: Runtime, actor: Actor, queue_id: str, changes: Mapping[str, Any]) -> Queue:
    """Change some of a queue's settings (`changes` names fields of `QueueSpec`)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed("invalid_choice", field=sorted(unknown)[0])
    now = rt.clock.now()
    with rt.db.uow() as uow:
        queues = routing_queues(uow, now)
        queue = uow.routing.queues.get(queue_id, for_update=True)
        if queue is None:
            raise QueueNotFound()
        checked = _checked(dataclasses.replace(_spec_of(queue), **dict(changes)))
        if (
            queue.active
            and not checked.active
            and not any(q.active for q in queues if q.id != queue.id)
        ):
            raise Conflict(
                "last_active_queue",
                N_("Keep at least one queue active: it takes the cases no other queue matches."),
            )
        _apply(queue, checked)
        queue.updated_at, queue.updated_by = now, actor.id
        uow.routing.queues.save(queue)
        record(
            uow,
            at=now,
            actor=actor,
            action="routing.queue_updated",
            subject_kind="routing_queue",
            subject_id=queue.id,
            details={"changed": sorted(changes)} | _audit_details(checked),
        )
        dispatch_after_commit(rt, uow)
        uow.commit()
    return queue


def _audit_details(spec: QueueSpec) -> dict[str, object]:
    return {
        "position": spec.position,
        "case_types": list(spec.case_types),
        "locales": list(spec.locales),
        "priorities": list(spec.priorities),
        "risk_flags": list(spec.risk_flags),
        "skill_language": spec.skill_language,
        "skill_topic": spec.skill_topic,
        "active": spec.active,
    }


def queue_board(rt: Runtime) -> list[QueueStats]:
    """Every queue in position order with its waiting and offered cases and since when its
    oldest waiting case has waited."""
    with rt.db.uow(read_only=True) as uow:
        queues = uow.routing.queues.all()
        stats = uow.routing.queues.stats()
    if not queues:
        with rt.db.uow() as uow:
            queues = routing_queues(uow, rt.clock.now())  # a new database gets the defaults
            uow.commit()
    return [QueueStats(queue, *stats.get(queue.id, (0, 0, None))) for queue in queues]
