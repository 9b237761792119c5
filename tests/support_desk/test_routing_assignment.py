"""Routing on the service layer: who is offered a case (skills, then least load, then round
robin; online before away, offline never), waiting cases meeting freed agents, offers that
lapse at exactly N seconds, urgent risk cases jumping the queue, and capacity under
concurrent offers."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta

from tests.support import remember
from tests.support_desk.helpers import STAFF_PASSWORD
from walletdesk.audit.services import Actor
from walletdesk.clock import FrozenClock
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.randomness import new_id
from walletdesk.runtime import Runtime
from walletdesk.support.access import ActorKind, SupportActor
from walletdesk.support.agents import set_agent_capacity, set_agent_skills
from walletdesk.support.cases import do_open_case
from walletdesk.support.casework import agent_reply, change_status
from walletdesk.support.conversations import hand_off
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, CaseType, Channel, Contact, Priority, Visibility
from walletdesk.support.realtime_presence import set_agent_status
from walletdesk.support.routing import flag_case
from walletdesk.support.routing_admin import queue_board
from walletdesk.support.routing_model import AgentStatus, RiskFlag, RoutingState
from walletdesk.support.routing_work import accept_offer, check_offers, route_case

SECOND = timedelta(seconds=1)
ADMIN = Actor.system()


def agent(
    rt: Runtime,
    name: str,
    *,
    status: AgentStatus = AgentStatus.ONLINE,
    languages: Sequence[str] = ("zh-CN",),
    topics: Sequence[str] = (),
    chat: int = 5,
) -> SupportActor:
    """A staff member who works cases, with these skills and chat capacity, in `status`."""
    created = create_staff(
        rt,
        login_text=f"{name.lower()}@walletdesk.example",
        password=STAFF_PASSWORD,
        display_name=name,
        roles=["agent"],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    set_agent_skills(rt, ADMIN, created.user_id, languages=languages, topics=topics)
    set_agent_capacity(rt, ADMIN, created.user_id, {Channel.CHAT: chat})
    actor = SupportActor(ActorKind.AGENT, created.user_id, roles=frozenset({"agent"}))
    if status is not AgentStatus.OFFLINE:
        set_agent_status(rt, actor, status)
    return actor


def open_case(
    rt: Runtime,
    text: str,
    *,
    locale: str = "zh-CN",
    case_type: CaseType = CaseType.QUESTION,
    priority: Priority | None = None,
) -> str:
    """A chat case that reaches agents straight away (no bot), as a channel adapter opens one."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        contact = Contact(new_id(rt.random, "ctc"), "顾客", locale, now)
        uow.support.contacts.add(contact)
        case, _ = do_open_case(
            rt,
            uow,
            contact=contact,
            channel=Channel.CHAT,
            case_type=case_type,
            with_bot=False,
            by=By.contact(contact.id),
            subject=text,
            now=now,
            calendars=load_calendars(uow),
            priority=priority,
        )
        uow.commit()
    return case.id


def assignee(rt: Runtime, case_id: str) -> str | None:
    with rt.db.uow(read_only=True) as uow:
        case = uow.support.cases.get(case_id)
        assert case is not None
        return case.assignee_id


def state(rt: Runtime, case_id: str) -> str:
    with rt.db.uow(read_only=True) as uow:
        routed = uow.routing.cases.get(case_id)
        assert routed is not None
        return routed.state


def chat_load(rt: Runtime, who: SupportActor) -> int:
    with rt.db.uow(read_only=True) as uow:
        profile = uow.routing.agents.get(who.user_id or "")
        assert profile is not None
        return profile.channels[Channel.CHAT.value].load


def as_agent(user_id: str) -> SupportActor:
    return SupportActor(ActorKind.AGENT, user_id, roles=frozenset({"agent"}))


def solve(rt: Runtime, who: SupportActor, case_id: str) -> None:
    change_status(rt, who, case_id, "solved")


def test_a_case_goes_to_a_skilled_agent_then_the_least_loaded_then_round_robin(
    rt: Runtime,
) -> None:
    wang = agent(rt, "Wang")
    li = agent(rt, "Li")
    smith = agent(rt, "Smith", languages=["en"])
    first, second = sorted([wang, li], key=lambda a: a.user_id or "")

    c1 = open_case(rt, "余额提现不到账")
    assert assignee(rt, c1) == first.user_id, "a tie and no pointer yet: lowest id"
    c2 = open_case(rt, "红包领不了")
    assert assignee(rt, c2) == second.user_id, "least load"
    solve(rt, first, c1)
    solve(rt, second, c2)
    c3 = open_case(rt, "银行卡绑定失败")
    assert assignee(rt, c3) == first.user_id, "a tie again: round robin after the last one"
    solve(rt, first, c3)
    c4 = open_case(rt, "转账限额是多少")
    assert assignee(rt, c4) == second.user_id, "round robin moves on, not lowest id"
    assert chat_load(rt, smith) == 0, "Smith had the least load but no Chinese"
    english = open_case(rt, "Where is my refund?", locale="en")
    assert assignee(rt, english) == smith.user_id
    assert (chat_load(rt, first), chat_load(rt, second), chat_load(rt, smith)) == (0, 1, 1)


def test_away_agents_get_cases_only_when_no_online_agent_fits_and_offline_ones_never(
    rt: Runtime,
) -> None:
    zhao = agent(rt, "Zhao", chat=1)
    qian = agent(rt, "Qian", status=AgentStatus.AWAY, chat=2)
    sun = agent(rt, "Sun", status=AgentStatus.OFFLINE, chat=9)

    first = open_case(rt, "账户登录不了")
    assert assignee(rt, first) == zhao.user_id, "online first although Qian is as free"
    overflow = [open_case(rt, "转账失败"), open_case(rt, "充值失败")]
    assert [assignee(rt, c) for c in overflow] == [qian.user_id, qian.user_id]
    left = open_case(rt, "还有人吗")
    assert assignee(rt, left) is None and state(rt, left) == RoutingState.WAITING
    assert chat_load(rt, sun) == 0


def test_a_waiting_case_is_picked_up_when_an_agent_comes_online(
    rt: Runtime, clock: FrozenClock
) -> None:
    zhou = agent(rt, "Zhou", status=AgentStatus.OFFLINE)
    case_id = open_case(rt, "我的钱包被冻结了")
    assert assignee(rt, case_id) is None
    clock.advance(timedelta(seconds=90))
    general = next(s for s in queue_board(rt) if s.queue.id == "general_zh")
    assert (general.waiting, general.oldest_waiting_since) == (1, clock.now() - 90 * SECOND)

    set_agent_status(rt, zhou, AgentStatus.ONLINE)
    assert assignee(rt, case_id) == zhou.user_id
    assert state(rt, case_id) == RoutingState.OFFERED
    general = next(s for s in queue_board(rt) if s.queue.id == "general_zh")
    assert (general.waiting, general.offered) == (0, 1)


def test_a_waiting_case_goes_to_the_agent_who_solves_a_case_or_gets_more_room(
    rt: Runtime, clock: FrozenClock
) -> None:
    wu = agent(rt, "Wu", chat=1)
    held = open_case(rt, "提现失败")
    waiting = []
    for text in ("第二个问题", "第三个问题"):
        clock.advance(SECOND)
        waiting.append(open_case(rt, text))
    assert assignee(rt, held) == wu.user_id
    assert [assignee(rt, c) for c in waiting] == [None, None]

    solve(rt, wu, held)
    assert [assignee(rt, c) for c in waiting] == [wu.user_id, None], "oldest first"
    set_agent_capacity(rt, ADMIN, wu.user_id or "", {Channel.CHAT: 2})
    assert [assignee(rt, c) for c in waiting] == [wu.user_id, wu.user_id]
    assert chat_load(rt, wu) == 2


def test_an_unanswered_offer_moves_to_the_next_agent_at_exactly_n_seconds(
    rt: Runtime, clock: FrozenClock
) -> None:
    assert rt.settings.support_offer_seconds == 60
    he = agent(rt, "He")
    lu = agent(rt, "Lu")
    case_id = open_case(rt, "验证码收不到")
    offered_to = assignee(rt, case_id)
    other = lu if offered_to == he.user_id else he

    clock.advance(59 * SECOND)
    assert check_offers(rt).reoffered == 0
    assert assignee(rt, case_id) == offered_to
    clock.advance(SECOND)
    assert check_offers(rt).reoffered == 1
    assert assignee(rt, case_id) == other.user_id and state(rt, case_id) == "offered"
    with rt.db.uow(read_only=True) as uow:
        events = uow.support.events.for_case(case_id)
    reasons = [e.after["reason"] for e in events if e.kind == "case.assigned"]
    assert reasons == ["routed", "offer_expired", "reoffered"]
    assert chat_load(rt, he) + chat_load(rt, lu) == 1, "the lapsed slot was given back"


def test_an_offer_the_agent_accepted_or_answered_stays_with_them(
    rt: Runtime, clock: FrozenClock
) -> None:
    agent(rt, "Ma")
    agent(rt, "Hu")
    accepted = open_case(rt, "优惠券无法使用")
    answered = open_case(rt, "积分没有到账")
    first, second = assignee(rt, accepted), assignee(rt, answered)
    assert first is not None and second is not None and first != second
    accept_offer(rt, as_agent(first), accepted)
    agent_reply(
        rt, as_agent(second), answered, text="您好，正在为您查询。", visibility=Visibility.PUBLIC
    )

    clock.advance(timedelta(minutes=10))
    assert check_offers(rt).reoffered == 0
    assert (assignee(rt, accepted), assignee(rt, answered)) == (first, second)
    assert state(rt, accepted) == state(rt, answered) == RoutingState.ACCEPTED


def test_an_urgent_risk_case_jumps_ahead_of_older_normal_ones(
    rt: Runtime, clock: FrozenClock
) -> None:
    lin = agent(rt, "Lin", status=AgentStatus.OFFLINE, chat=1)
    older = open_case(rt, "怎么修改昵称")
    clock.advance(timedelta(minutes=1))
    old_too = open_case(rt, "账单在哪里看", priority=Priority.HIGH)
    clock.advance(timedelta(minutes=1))
    stolen = open_case(rt, "有人登录了我的账号")
    with rt.db.uow() as uow:
        case = uow.support.cases.get(stolen, for_update=True)
        assert case is not None
        assert flag_case(rt, uow, case, RiskFlag.ACCOUNT_TAKEOVER) is True
        assert flag_case(rt, uow, case, RiskFlag.ACCOUNT_TAKEOVER) is False
        uow.support.cases.save(case)
        uow.commit()
    board = {s.queue.id: s for s in queue_board(rt)}
    assert (board["urgent_risk"].waiting, board["general_zh"].waiting) == (1, 2)

    set_agent_status(rt, lin, AgentStatus.ONLINE)
    assert assignee(rt, stolen) == lin.user_id
    assert (assignee(rt, older), assignee(rt, old_too)) == (None, None)
    solve(rt, lin, stolen)
    assert assignee(rt, old_too) == lin.user_id, "then priority, then arrival"


def test_two_threads_offering_at_once_never_exceed_an_agents_capacity(rt: Runtime) -> None:
    xu = agent(rt, "Xu", status=AgentStatus.OFFLINE, chat=2)
    cases = [open_case(rt, f"排队 {n}") for n in range(8)]
    with rt.db.uow() as uow:  # online without the dispatch a status change would run
        uow.routing.agents.set_status(xu.user_id or "", "online", rt.clock.now())
        uow.commit()
    start = threading.Barrier(2)
    got: list[str | None] = []
    failures: list[BaseException] = []

    def offer_all(mine: list[str]) -> None:
        try:
            start.wait(timeout=10)
            for case_id in mine:
                got.append(route_case(rt, case_id))
        except BaseException as error:  # surfaced below
            failures.append(error)

    threads = [threading.Thread(target=offer_all, args=(cases[n::2],)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(x for x in got if x) == [xu.user_id, xu.user_id]
    assert chat_load(rt, xu) == 2
    assert sum(assignee(rt, c) == xu.user_id for c in cases) == 2


def test_an_agent_going_offline_hands_on_offers_but_keeps_accepted_cases(rt: Runtime) -> None:
    gao = agent(rt, "Gao")
    offered = open_case(rt, "收款码失效")
    kept = open_case(rt, "提现手续费")
    assert assignee(rt, offered) == assignee(rt, kept) == gao.user_id
    accept_offer(rt, gao, kept)
    tang = agent(rt, "Tang", status=AgentStatus.AWAY)

    set_agent_status(rt, gao, AgentStatus.OFFLINE)
    assert assignee(rt, offered) == tang.user_id, "the only one left, although away"
    assert assignee(rt, kept) == gao.user_id
    assert (chat_load(rt, gao), chat_load(rt, tang)) == (1, 1)


def test_a_flag_set_while_the_bot_talks_sends_the_case_to_urgent_risk_at_hand_off(
    rt: Runtime,
) -> None:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        contact = Contact(new_id(rt.random, "ctc"), "顾客", "zh-CN", now)
        uow.support.contacts.add(contact)
        case, conversation = do_open_case(
            rt,
            uow,
            contact=contact,
            channel=Channel.CHAT,
            case_type=CaseType.QUESTION,
            with_bot=True,
            by=By.contact(contact.id),
            subject="我的钱被转走了",
            now=now,
            calendars=load_calendars(uow),
        )
        flag_case(rt, uow, case, RiskFlag.LARGE_TRANSFER_PENDING, by=By.bot("assistant"))
        uow.support.cases.save(case)
        uow.commit()
    assert state(rt, case.id) == RoutingState.HELD
    hand_off(rt, SupportActor.bot(), conversation.id, reason="risk")
    with rt.db.uow(read_only=True) as uow:
        events = uow.support.events.for_case(case.id)
    queued = next(e for e in events if e.kind == "case.queued")
    assert queued.after["queue_id"] == "urgent_risk"
    assert queued.after["flags"] == ["large_transfer_pending"]
    flagged = next(e for e in events if e.kind == "case.risk_flagged")
    assert (flagged.actor_kind, flagged.public) == ("bot", False)
