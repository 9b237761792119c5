"""The one door to cases (DESIGN principle 5).

Every case, and every conversation through its case, is fetched with `access_case_for`,
which answers "not found" whether the case is missing or the actor may not see it:

- a customer sees the cases of their own contact (the wallet user they signed in as);
- staff who work cases (`cases.work`) see every case;
- the bot and the system (sweeps, channel adapters) act on any case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.support.errors import CaseNotFound, ConversationNotFound
from walletdesk.support.models import Assurance, By, Case, Conversation

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.storage.uow import UnitOfWork


class ActorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


@dataclass(frozen=True)
class SupportActor:
    """Who is acting on a case, in which role. A staff member calling a customer route acts
    as a customer: the route decides the role, never the account."""

    kind: ActorKind
    user_id: str | None = None
    roles: frozenset[str] = frozenset()
    assurance: Assurance = Assurance.ANONYMOUS
    name: str | None = None

    @classmethod
    def customer(cls, auth: Authenticated) -> SupportActor:
        stepped_up = auth.session.two_factor_at is not None
        return cls(
            ActorKind.CUSTOMER,
            auth.user.id,
            assurance=Assurance.STEPPED_UP if stepped_up else Assurance.LOGGED_IN,
        )

    @classmethod
    def agent(cls, auth: Authenticated) -> SupportActor:
        return cls(ActorKind.AGENT, auth.user.id, roles=auth.roles)

    @classmethod
    def bot(cls, name: str = "assistant") -> SupportActor:
        return cls(ActorKind.BOT, name=name)

    @classmethod
    def system(cls) -> SupportActor:
        return cls(ActorKind.SYSTEM)

    def by(self, case: Case) -> By:
        """How the history records this actor on `case`."""
        if self.kind is ActorKind.CUSTOMER:
            return By.contact(case.contact_id)
        if self.kind is ActorKind.AGENT:
            assert self.user_id is not None
            return By.agent(self.user_id)
        if self.kind is ActorKind.BOT:
            return By.bot(self.name)
        return By.system()


def may_work_cases(roles: frozenset[str]) -> bool:
    return has_permission(roles, Permission.CASES_WORK)


def access_case_for(
    uow: UnitOfWork, actor: SupportActor, case_id: str, *, for_update: bool = False
) -> Case:
    """The case if `actor` may see it; CaseNotFound otherwise. `for_update` locks the row:
    every writer takes it, so one case's changes (and message ids) are serialised."""
    case = uow.support.cases.get(case_id, for_update=for_update)
    if case is None or not _may_see(uow, actor, case):
        raise CaseNotFound()
    return case


def _may_see(uow: UnitOfWork, actor: SupportActor, case: Case) -> bool:
    if actor.kind is ActorKind.CUSTOMER:
        contact = uow.support.contacts.get(case.contact_id)
        return _is_own(actor, contact.user_id if contact else None)
    return _staff_or_system_may_see(actor)


def _is_own(actor: SupportActor, contact_user_id: str | None) -> bool:
    """A customer sees the cases of the contact that is their wallet user."""
    return (
        contact_user_id is not None
        and actor.user_id is not None
        and (contact_user_id == actor.user_id)
    )


def _staff_or_system_may_see(actor: SupportActor) -> bool:
    if actor.kind is ActorKind.AGENT:
        return may_work_cases(actor.roles)
    return True


def access_conversation_for(
    uow: UnitOfWork, actor: SupportActor, conversation_id: str, *, for_update: bool = False
) -> tuple[Case, Conversation]:
    """The conversation and its case, through the case's door (`for_update` locks both, the
    case first). One round trip: the chat path reads this for every message."""
    found = uow.support.conversations.with_case(conversation_id, for_update=for_update)
    if found is None:
        raise ConversationNotFound()
    conversation, case, contact_user_id = found
    if not may_see_case(actor, contact_user_id):
        raise ConversationNotFound()
    return case, conversation


def may_see_case(actor: SupportActor, contact_user_id: str | None) -> bool:
    """The door's rule for a case whose contact is the wallet user `contact_user_id`, for
    callers that loaded the rows themselves (the chat fan-out checks a whole batch of
    recipients with one query per kind of row)."""
    if actor.kind is ActorKind.CUSTOMER:
        return _is_own(actor, contact_user_id)
    return _staff_or_system_may_see(actor)
