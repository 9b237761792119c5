"""Reversing a posted entry: a compensating entry with every posting negated, linked to the
original. The unique `reverses_entry_id` makes it happen once even under concurrency."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, NotFound
from walletdesk.i18n import N_
from walletdesk.ledger.errors import AlreadyReversed
from walletdesk.ledger.models import EntryKind, Leg, PostedEntry
from walletdesk.ledger.posting import post_entry

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime


def reverse_entry(rt: Runtime, *, entry_id: str, reason: str, actor_id: str | None) -> PostedEntry:
    with rt.db.uow() as uow:
        original = uow.journal.get(entry_id, for_update=True)
        if original is None:
            raise NotFound("entry_not_found")
        if original.kind == EntryKind.REVERSAL:
            raise Conflict("cannot_reverse_reversal", N_("A reversal cannot be reversed."))
        if uow.journal.reversal_of(entry_id) is not None:
            raise AlreadyReversed()
        legs = [Leg(p.account_id, -p.amount, p.currency) for p in uow.journal.postings_of(entry_id)]
        posted = post_entry(
            rt,
            uow,
            kind=EntryKind.REVERSAL,
            legs=legs,
            description=f"Reversal of {entry_id}",
            details={"reason": reason[:200]},
            actor_id=actor_id,
            reverses_entry_id=entry_id,
        )
        uow.commit()
        return posted
