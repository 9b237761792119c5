"""The review queue: next case hands each reviewer a different case, also at the same time."""

from __future__ import annotations

import threading

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from tests.risk.helpers import staff
from tests.risk.review_helpers import send, settings, use_review_rules
from walletdesk.risk import review
from walletdesk.risk.review_models import ReviewCase
from walletdesk.runtime import Runtime

__all__ = ["settings"]


def test_two_reviewers_asking_at_once_get_two_different_cases(rt: Runtime) -> None:
    use_review_rules(rt)
    li = sign_in(rt, phone="13987654321", name="李娜")
    for phone, name in (("13811110001", "张明"), ("13811110002", "王芳")):
        payer = sign_in(rt, phone=phone, name=name)
        fund(rt, payer.user.id, "5000.00")
        send(rt, payer, li, "1000.00")
    reviewers = [
        staff(rt, "usr_liu_shen", "risk_reviewer"),
        staff(rt, "usr_wang_shen", "risk_reviewer"),
    ]
    taken: dict[str, ReviewCase | None] = {}
    start = threading.Barrier(2)

    def take(reviewer_index: int) -> None:
        start.wait()
        reviewer = reviewers[reviewer_index]
        taken[reviewer.user.id] = review.next_case(rt, reviewer)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cases = [case for case in taken.values() if case is not None]
    assert len(cases) == 2
    assert len({case.id for case in cases}) == 2
    assert {case.assigned_to for case in cases} == {"usr_liu_shen", "usr_wang_shen"}
    assert review.next_case(rt, reviewers[0]) is None
