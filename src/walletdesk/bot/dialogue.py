"""The assistant's turn: a customer wrote in a conversation the assistant owns (issue 6,
items 3-6).

`attach(rt)` subscribes to the committed support events (`rt.support_events`): a customer's
public `message.added` in a bot-owned conversation runs `run_turn` once that message is
committed (in the process that committed it). The turn reads the stored (masked) message,
understands it (`understanding.Brain`), decides (`policy.decide`), runs the tools the decision
allows for this customer, and posts one reply with its events in one unit of work: the reply
message, a `bot.tool` event per tool call, the hand-off when there is one, and the `bot.turn`
event that is the dialogue's state.

The assistant answers only once its model is loaded (at start-up, `BrainHolder.warm_up`, or
from a saved model on disk); it never trains inside a customer's request.
"""

from __future__ import annotations

import logging
import weakref
from functools import cache
from typing import TYPE_CHECKING, Any

from walletdesk.bot import proactive, replies, safety
from walletdesk.bot import tools_act as act
from walletdesk.bot.answers import FAQ_CACHE, answer_for, published_public
from walletdesk.bot.artefact import MANIFEST
from walletdesk.bot.catalogue import TITLES, Catalogue, load_catalogue
from walletdesk.bot.handoff import Understood, do_bot_hand_off
from walletdesk.bot.policy import Action, Awaiting, Decision, Facts, Heard, decide
from walletdesk.bot.replies import say
from walletdesk.bot.tools_read import READERS
from walletdesk.bot.turns import (
    Reply,
    ToolCall,
    do_reversible,
    load_state,
    post_reply,
    reset_password_before,
)
from walletdesk.bot.understanding import Brain, Understanding
from walletdesk.i18n import Text
from walletdesk.ledger.limits import BEIJING
from walletdesk.support import realtime_hours
from walletdesk.support.access import SupportActor, access_conversation_for
from walletdesk.support.events import InProcessPublisher, SupportEvent
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import Assurance

if TYPE_CHECKING:
    from walletdesk.identity.models import User
    from walletdesk.runtime import Runtime

log = logging.getLogger(__name__)
BOT_ACTOR = SupportActor.bot("assistant")
_ATTACHED: weakref.WeakSet[InProcessPublisher] = weakref.WeakSet()


def attach(rt: Runtime) -> None:
    """Answer customers in bot-owned conversations from now on (once per publisher)."""
    publisher = rt.support_events
    if not isinstance(publisher, InProcessPublisher):
        log.warning("support events publisher %r cannot be subscribed to", publisher)
        return
    if publisher in _ATTACHED:
        return
    _ATTACHED.add(publisher)
    publisher.subscribe(lambda event: on_event(rt, event))


def on_event(rt: Runtime, event: SupportEvent) -> None:
    if (
        event.kind != "message.added"
        or event.actor_kind != "contact"
        or not event.public
        or event.conversation_id is None
        or event.message is None
        # People have this conversation (`history.message_added`): nothing to read.
        or event.message.get("with_assistant") is False
    ):
        return
    run_turn(rt, event.conversation_id, int(event.message["id"]))


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


def ready_brain(rt: Runtime) -> Brain | None:
    holder = rt.bot_brain
    if holder is None:
        return None
    if holder.source is None and not (holder.directory / MANIFEST).is_file():
        return None  # nothing to load: training here would stall the customer's request
    return holder.get()


def _heard(understood: Understanding) -> Heard:
    return Heard(
        text=understood.text,
        intent=understood.intent,
        confidence=understood.confidence,
        close_call=understood.close_call,
        alternatives=tuple(a.intent for a in understood.alternatives),
        by_command=understood.by_command,
    )


def run_turn(rt: Runtime, conversation_id: str, message_id: int) -> int | None:
    """Answer one customer message; returns the reply's message id (None: not the
    assistant's to answer, or its model is not loaded)."""
    brain = ready_brain(rt)
    if brain is None:
        return None
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case, conversation = access_conversation_for(uow, BOT_ACTOR, conversation_id)
        message = uow.support.messages.by_id(message_id)
        if not conversation.bot_owned or case.is_closed or message is None:
            return None
        contact = uow.support.contacts.get(case.contact_id)
        assert contact is not None
        user = uow.users.get(contact.user_id) if contact.user_id else None
        state, last = load_state(uow, case.id)
        published = published_public(uow)
    understood = brain.understand(
        message.body,
        # A reply without words ("1", "好") continues in the conversation's language.
        str((last or {}).get("locale") or contact.locale),
        today=now.astimezone(BEIJING).date(),
        faq=FAQ_CACHE.index(brain, published),
    )
    assurance = Assurance(conversation.assurance)
    facts = Facts(
        signed_in=user is not None and assurance.at_least(Assurance.LOGGED_IN),
        stepped_up=user is not None and assurance.at_least(Assurance.STEPPED_UP),
        masked=safety.was_masked(message.body),
        urgent_intents=safety.urgent_intents(catalogue()),
    )
    decision = decide(_heard(understood), state, facts)
    locale = understood.reply_locale
    reply = _compose(rt, decision, understood, user if facts.signed_in else None, locale, published)
    prepared = None
    if decision.action is Action.CONFIRMED and decision.tool == "password_reset" and user:
        prepared = reset_password_before(rt, user.id)
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(
            uow, BOT_ACTOR, conversation_id, for_update=True
        )
        _, last = load_state(uow, case.id)
        if not conversation.bot_owned or (last and last.get("message_id") == message_id):
            return None  # a person took over meanwhile, or this message was answered
        calendars = load_calendars(uow)
        if (
            decision.action is Action.CONFIRMED
            and decision.tool
            and (user is not None or decision.tool == "book_callback")
        ):
            do_reversible(
                rt,
                uow,
                reply,
                tool=decision.tool,
                case=case,
                conversation=conversation,
                contact=contact,
                user_id=user.id if user else "",
                intent=decision.intent,
                reason="other",
                now=now,
                calendars=calendars,
                prepared=prepared,
            )
        elif decision.action is Action.MONEY and user is not None and decision.tool:
            draft = act.draft_of(decision.tool, user.id, message.body, understood.entities, case)
            request = act.do_open_money_request(
                rt,
                uow,
                tool=decision.tool,
                contact=contact,
                draft=draft,
                locale=locale,
                now=now,
                calendars=calendars,
            )
            reply.lines.append(
                say(
                    replies.MONEY_CASE_OPENED,
                    action=Text(replies.ACTION_NAMES[decision.tool]),
                    case=request.id,
                )
            )
            reply.calls.append(
                ToolCall(decision.tool, "case_opened", {"request_case_id": request.id})
            )
        handing = decision.handoff_reason is not None
        force = decision.handoff_reason in ("ticket", "callback")
        if handing:
            calendar = realtime_hours.hours_calendar(rt, uow)
            if not (calendar.is_open(now) or decision.urgent):
                when = calendar.next_opening(now)
                if force:
                    reply.lines.append(say(replies.TICKET_LEFT, when=when))
                else:
                    reply.lines.append(say(replies.AGENTS_OFFLINE, when=when))
                    reply.awaiting = Awaiting("offline", None, (decision.intent or "",))
            elif decision.handoff_reason == "assistant_gave_up":
                reply.lines.append(say(replies.GIVING_UP))
            elif decision.action is Action.HANDOFF:
                reply.lines.append(say(replies.HANDING_OFF))
        turn: dict[str, Any] = {
            "message_id": message_id,
            "intent": decision.intent,
            "model_intent": understood.intent,
            "confidence": round(understood.confidence, 4),
            "language": understood.language.value,
            "action": decision.action.value,
            "tool": decision.tool,
            "fallbacks": decision.extra.get("fallbacks", 0),
        }
        reply_message = post_reply(
            rt, uow, case, conversation, reply, locale=locale, now=now, turn=turn
        )
        if handing:
            assert decision.handoff_reason is not None
            do_bot_hand_off(
                rt,
                uow,
                case,
                conversation,
                reason=decision.handoff_reason,
                understood=Understood(
                    decision.intent or understood.intent,
                    understood.confidence,
                    understood.language.value,
                    locale,
                ),
                customer_tier=user.kyc_tier if user else None,
                urgent=decision.urgent,
                now=now,
                force=force,
                callback=decision.handoff_reason == "callback",
            )
        uow.support.cases.save(case)
        uow.commit()
    return reply_message.id


def _article_lines(
    reply: Reply, intent: str | None, understood: Understanding, published: list[Any], locale: str
) -> bool:
    found = answer_for(intent, understood.faq_hits, published, catalogue(), locale)
    if found is None:
        return False
    reply.article = found.slug
    reply.lines += [
        say(replies.ANSWER_FROM_ARTICLE, title=found.title, summary=found.summary),
        say(replies.READ_MORE, link=found.link),
    ]
    return True


def _compose(
    rt: Runtime,
    decision: Decision,
    understood: Understanding,
    user: User | None,
    locale: str,
    published: list[Any],
) -> Reply:
    """What to say for a decision, and the read tools' results (their own read units of
    work). Changes (freeze, cases) are made later, inside the turn's unit of work."""
    reply = Reply(awaiting=decision.awaiting)
    action, tool, intent = decision.action, decision.tool, decision.intent
    if action is Action.GREET:
        reply.lines.append(say(replies.GREETING))
        if user is not None:
            suggestion = proactive.first_suggestion(rt, user.id, locale)
            if suggestion is not None:
                reply.lines.append(suggestion.line)
    elif action is Action.THANK:
        reply.lines.append(say(replies.THANKS))
    elif action is Action.ANSWER:
        if _article_lines(reply, intent, understood, published, locale):
            reply.lines.append(say(replies.WAS_IT_HELPFUL))
        else:
            reply.lines += [say(replies.NOTHING_FOUND), say(replies.NOT_UNDERSTOOD)]
    elif action is Action.CLARIFY and decision.awaiting is not None:
        first, second = decision.awaiting.options[:2]
        reply.lines.append(
            say(replies.CLARIFY, first=Text(TITLES[first]), second=Text(TITLES[second]))
        )
    elif action is Action.FALLBACK:
        reply.lines.append(say(replies.NOT_UNDERSTOOD))
    elif action is Action.LOGIN_NEEDED and tool:
        reply.lines.append(say(replies.LOGIN_NEEDED))
        reply.calls.append(ToolCall(tool, "refused_anonymous"))
        _article_lines(reply, intent, understood, published, locale)
    elif action is Action.READ and tool:
        if decision.awaiting is not None:  # full details: the customer must step up first
            reply.lines.append(say(replies.STEP_UP_NEEDED))
            reply.calls.append(ToolCall(tool, "needs_step_up"))
        else:
            found = READERS[tool](rt, user.id if user else "", locale)
            reply.lines += found.lines
            reply.calls.append(ToolCall(tool, found.outcome, found.details))
            if found.outcome == "nothing_found":
                _article_lines(reply, intent, understood, published, locale)
    elif action is Action.OFFER and tool:
        if tool == "password_reset":
            _article_lines(reply, intent, understood, published, locale)
        question = {
            "freeze_wallet": replies.CONFIRM_FREEZE,
            "password_reset": replies.CONFIRM_RESET,
            "open_complaint": replies.CONFIRM_COMPLAINT,
        }[tool]
        reply.lines.append(say(question))
        reply.calls.append(ToolCall(tool, "offered"))
    elif action is Action.DECLINED and tool:
        reply.lines.append(say(replies.DECLINED))
        reply.calls.append(ToolCall(tool, "declined"))
    elif action in (Action.SCAM, Action.URGENT):
        # A scam story and a takeover or stolen card differ only in the warning: both offer
        # the freeze (signed-in customers) and go to a person with priority.
        warning = replies.SCAM_WARNING if action is Action.SCAM else replies.TAKEOVER_WARNING
        reply.lines += [say(warning), say(replies.FREEZE_OFFER_BUTTON), say(replies.URGENT_HANDOFF)]
        if user is not None:
            reply.awaiting = Awaiting("confirm", "freeze_wallet")
            reply.calls.append(ToolCall("freeze_wallet", "offered"))
    elif action is Action.MASKED:
        reply.lines.append(say(replies.MASKED_REPLY))
        if decision.awaiting is not None:
            reply.lines.append(say(replies.FREEZE_OFFER))
            reply.calls.append(ToolCall("freeze_wallet", "offered"))
    return reply
