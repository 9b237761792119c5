"""What the customer does with the assistant's answers outside typing: confirm an offer with a
button, rate an answer (thumbs up/down), and step up so the assistant may show full
transaction details. Each goes through the customer's door to the conversation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.bot import events
from walletdesk.bot.events import BotEvent
from walletdesk.bot.tools_read import transaction_details
from walletdesk.bot.turns import (
    Reply,
    ToolCall,
    do_reversible,
    load_state,
    post_reply,
    reset_password_before,
)
from walletdesk.errors import Conflict, NotFound
from walletdesk.i18n import N_, normalise_locale
from walletdesk.identity.codes import SentCode, invalid_code
from walletdesk.identity.factors import check_step_up
from walletdesk.identity.twofactor import send_step_up_code as send_code
from walletdesk.support.access import SupportActor, access_conversation_for
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import Assurance

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

CONFIRMABLE = frozenset({"freeze_wallet", "password_reset", "open_complaint"})


def nothing_to_confirm() -> Conflict:
    return Conflict(
        "nothing_to_confirm", N_("There is nothing waiting for your confirmation here.")
    )


def confirm(rt: Runtime, auth: Authenticated, conversation_id: str, tool: str) -> int:
    """The customer pressed the button of the assistant's last offer (also after a hand-off:
    a scam victim must be able to freeze at once). Returns the reply's message id."""
    actor = SupportActor.customer(auth)
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case, _ = access_conversation_for(uow, actor, conversation_id)
        state, last = load_state(uow, case.id)
    awaiting = state.awaiting
    if tool not in CONFIRMABLE or awaiting is None or awaiting.kind != "confirm":
        raise nothing_to_confirm()
    if awaiting.tool != tool:
        raise nothing_to_confirm()
    prepared = reset_password_before(rt, auth.user.id) if tool == "password_reset" else None
    locale = normalise_locale(str((last or {}).get("locale") or auth.user.locale))
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id, for_update=True)
        state, _ = load_state(uow, case.id)
        if state.awaiting is None or state.awaiting.tool != tool:
            raise nothing_to_confirm()  # confirmed a moment ago, by typing or another tap
        contact = uow.support.contacts.get(case.contact_id)
        assert contact is not None
        reply = Reply()
        do_reversible(
            rt,
            uow,
            reply,
            tool=tool,
            case=case,
            conversation=conversation,
            contact=contact,
            user_id=auth.user.id,
            intent=(last or {}).get("intent"),
            reason="suspicious_activity" if tool == "freeze_wallet" else "other",
            now=now,
            calendars=load_calendars(uow),
            prepared=prepared,
        )
        message = post_reply(
            rt,
            uow,
            case,
            conversation,
            reply,
            locale=locale,
            now=now,
            turn={"message_id": None, "action": "confirmed", "tool": tool, "by": "button"},
        )
        uow.support.cases.save(case)
        uow.commit()
    assert message.id is not None
    return message.id


def rate_answer(
    rt: Runtime, auth: Authenticated, conversation_id: str, message_id: int, *, helpful: bool
) -> None:
    """Thumbs up or down on one of the assistant's answers in the customer's conversation;
    rating again replaces the rating (the latest counts)."""
    actor = SupportActor.customer(auth)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, _ = access_conversation_for(uow, actor, conversation_id, for_update=True)
        answered = next(
            (
                event.after
                for event in uow.bot.events_of(case.id, BotEvent.TURN.value)
                if event.after.get("reply_id") == message_id
            ),
            None,
        )
        if answered is None:
            raise NotFound("answer_not_found", N_("We could not find this answer."))
        events.feedback(
            rt,
            uow,
            case,
            actor.by(case),
            now,
            message_id=message_id,
            helpful=helpful,
            intent=answered.get("intent"),
            article=answered.get("article"),
        )
        uow.support.cases.save(case)
        uow.commit()


def step_up(
    rt: Runtime, auth: Authenticated, conversation_id: str, *, code: str | None
) -> int | None:
    """Raise the conversation to stepped-up: at once when this session already passed
    two-factor, else with a code from the authenticator app or the one we texted. Then, if the
    assistant was waiting for it, it shows the transaction details. A wrong code counts."""
    actor = SupportActor.customer(auth)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id, for_update=True)
        if auth.session.two_factor_at is None:
            user = uow.users.get(auth.user.id, for_update=True)
            assert user is not None
            method = check_step_up(
                rt,
                uow,
                user,
                totp_code=code if user.has_totp else None,
                otp_code=None if user.has_totp else code,
            )
            uow.users.save(user)
            if method is None:
                uow.commit()
                raise invalid_code()
        conversation.assurance = (
            Assurance(conversation.assurance).raised_to(Assurance.STEPPED_UP).value
        )
        uow.support.conversations.save(conversation)
        state, last = load_state(uow, case.id)
        waiting = state.awaiting is not None and state.awaiting.kind == "step_up"
        reply_id = None
        if waiting and conversation.bot_owned:
            locale = normalise_locale(str((last or {}).get("locale") or auth.user.locale))
            found = transaction_details(rt, auth.user.id, locale)
            reply = Reply(lines=list(found.lines))
            reply.calls.append(ToolCall("transaction_details", found.outcome, found.details))
            message = post_reply(
                rt,
                uow,
                case,
                conversation,
                reply,
                locale=locale,
                now=now,
                turn={"message_id": None, "action": "read", "tool": "transaction_details"},
            )
            reply_id = message.id
        uow.support.cases.save(case)
        uow.commit()
    return reply_id


def send_step_up_code(
    rt: Runtime, auth: Authenticated, conversation_id: str, *, ip: str | None
) -> SentCode:
    """Text (or email) the customer a step-up code for this conversation; it is entered in
    the app's step-up form, never in the chat."""
    with rt.db.uow(read_only=True) as uow:
        access_conversation_for(uow, SupportActor.customer(auth), conversation_id)
    return send_code(rt, auth, ip=ip)
