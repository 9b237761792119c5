"""The support desk's periodic work: SLA breaches and escalations (`check_sla`), closing
solved cases whose reopen window has passed, and routing (lapsed offers move on, waiting cases
meet freed agents: `routing_work.sweep_routing`). The web process runs it on a background thread
every `support_sweep_seconds`; every step reads `rt.clock`, so tests call `sweep_once`."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.risk.held_transfers import risk_review_sweep
from walletdesk.support.actions_execute import resume_executions
from walletdesk.support.casework import close_solved_cases
from walletdesk.support.complaints_sweep import desk_sweep
from walletdesk.support.realtime_hours import hand_off_due
from walletdesk.support.realtime_presence import sweep as sweep_presence
from walletdesk.support.routing_work import sweep_routing
from walletdesk.support.sla_clock import check_sla

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    breached: int
    escalated: int
    closed: int
    reoffered: int = 0
    """Offers nobody answered in `support_offer_seconds`, given to the next agent."""


def sweep_once(rt: Runtime) -> SweepResult:
    hand_off_due(rt)  # chats kept by the assistant until agents' hours began
    sla = check_sla(rt)
    desk_sweep(rt)  # complaint records and deadlines, CSAT asks (before solved cases close)
    closed = close_solved_cases(rt)
    resume_executions(rt)  # case actions whose process died between approval and outcome
    sweep_presence(rt)  # agents of a server that died go offline, sockets or none here
    risk_review_sweep(rt)  # held movements past their final review timeout are declined
    return SweepResult(sla.breached, sla.escalated, closed, sweep_routing(rt).reoffered)


class Sweeper:
    """Runs `sweep_once` every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, rt: Runtime, interval: float) -> None:
        self._rt = rt
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="support-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                sweep_once(self._rt)
            except Exception:
                # The next round retries; a sweep changes each case in its own transaction.
                logger.exception("support sweep failed")
