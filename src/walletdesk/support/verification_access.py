"""The door to a verification and the case's own conversation: `access_verification_for`
fetches a verification only through its case's door (`access_case_for`), and `system_say`
writes the system's public messages into the in-app chat the verification opened with. Used by
the workflow (`verification`) and the in-app challenge (`verification_challenge`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.errors import NotFound
from walletdesk.i18n import N_, translate
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.cases import do_add_message
from walletdesk.support.models import By, Case, Channel, Conversation, Visibility
from walletdesk.support.verification_models import Verification

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


class VerificationNotFound(NotFound):
    default_code = "verification_not_found"
    default_message = N_("We could not find this verification.")


def access_verification_for(
    uow: UnitOfWork, actor: SupportActor, verification_id: str, *, for_update: bool = False
) -> tuple[Verification, Case]:
    """The verification and its case through the case's door (missing and forbidden are the
    same not-found). `for_update` locks the case first, then the verification."""
    found = uow.verification.verifications.get(verification_id)
    if found is None:
        raise VerificationNotFound()
    try:
        case = access_case_for(uow, actor, found.case_id, for_update=for_update)
    except NotFound:
        raise VerificationNotFound() from None
    if for_update:
        locked = uow.verification.verifications.get(verification_id, for_update=True)
        assert locked is not None
        found = locked
    return found, case


def chat_conversation(uow: UnitOfWork, case: Case) -> Conversation:
    """The in-app conversation of a verification case (opened with it)."""
    conversations = uow.support.conversations.for_case(case.id)
    chat = [c for c in conversations if c.channel == Channel.CHAT]
    return (chat or conversations)[0]


def system_say(rt: Runtime, uow: UnitOfWork, case: Case, text: str, **params: object) -> None:
    """A public system message in the case's language."""
    conversation = chat_conversation(uow, case)
    do_add_message(
        rt,
        uow,
        case,
        conversation,
        By.system(),
        text=translate(text, case.locale, **params),
        visibility=Visibility.PUBLIC,
        now=rt.clock.now(),
    )
