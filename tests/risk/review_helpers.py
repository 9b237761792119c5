"""People, money and a small rule set for the review-queue tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEST_KEYS
from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from tests.risk.helpers import staff
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.money import Money
from walletdesk.ledger.transfers import TransferResult, transfer
from walletdesk.risk.rules_admin import save_rules
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings

REVIEW_RULES = """\
rule_set: review tests
thresholds:
  hold: 50
  freeze: 90
rules:
  - id: review_hold_from_1000
    version: 1
    weight: 10
    action: hold
    min_amount: 1000
    when: kind == transfer
    reasons:
      zh: 单笔 1000 元以上需审核
      en: Transfers of 1,000 yuan or more are reviewed
  - id: review_four_eyes_above_5000
    version: 1
    weight: 10
    action: hold
    four_eyes: true
    when:
      all:
        - kind == transfer
        - amount > 5000
    reasons:
      zh: 超过 5000 元需两名审核员
      en: Above 5,000 yuan two reviewers approve
  - id: review_freeze_from_9000
    version: 1
    weight: 95
    action: freeze
    min_amount: 9000
    when: kind == transfer
    reasons:
      zh: 9000 元以上冻结账户
      en: From 9,000 yuan the account is frozen
  - id: review_decline_777
    version: 1
    weight: 60
    action: decline
    when: amount == 777
    reasons:
      zh: 可疑金额
      en: Suspicious amount
"""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """One transaction per transfer (the Python path) on both databases."""
    return Settings(
        env="dev",
        data_dir=tmp_path,
        database_url=database_url,
        transfer_group_commit=False,
        risk_screen_transfers=True,
        risk_time_budget_ms=60_000,  # these tests are about decisions, never about speed
        **TEST_KEYS,
    )


def use_review_rules(rt: Runtime) -> None:
    save_rules(rt, staff(rt, "usr_sun_min", "supervisor"), source=REVIEW_RULES, comment="tests")


def people(rt: Runtime) -> tuple[Authenticated, Authenticated]:
    zhang = sign_in(rt, phone="13812345678", name="张明")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, zhang.user.id, "20000.00")
    return zhang, li


def send(rt: Runtime, payer: Authenticated, payee: Authenticated, amount: str) -> TransferResult:
    return transfer(
        rt, payer, to=payee.user.id, amount=Money.parse(amount, "CNY"), note="饭钱", locale="zh-CN"
    )


def balance(rt: Runtime, user_id: str) -> tuple[int, int]:
    """(available, held) of the CNY wallet, in fen."""
    with rt.db.uow(read_only=True) as uow:
        for account in uow.accounts.for_owner(user_id):
            if account.currency == "CNY":
                return account.available, account.held
    return 0, 0


def books_ok(rt: Runtime) -> None:
    with rt.db.uow(read_only=True) as uow:
        assert check_books(uow) == []


def templates_to(rt: Runtime, user_id: str) -> list[str]:
    """The templates of the in-app notifications `user_id` received."""
    with rt.db.uow(read_only=True) as uow:
        return [n.template for n in uow.inbox.list_for_user(user_id, limit=200)]
