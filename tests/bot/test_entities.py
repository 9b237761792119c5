from datetime import date
from decimal import Decimal

import pytest

from walletdesk.bot.entities import extract_entities

TODAY = date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    ("label", "text", "amounts"),
    [
        ("yuan sign", "我充了¥88没到账", [("88", "CNY")]),
        ("full-width yuan sign", "扣了￥９９.５", [("99.5", "CNY")]),
        ("元 after the number", "被多扣了88元", [("88", "CNY")]),
        ("块钱", "转了200块钱给他", [("200", "CNY")]),
        ("万 multiplier", "提现1.5万元", [("15000", "CNY")]),
        ("dollar sign with cents", "charged $12.50 twice", [("12.50", "USD")]),
        ("thousands separator", "sent USD 1,250.00 to my sister", [("1250.00", "USD")]),
        ("Hong Kong dollars", "paid HK$100 in Hong Kong", [("100", "HKD")]),
        ("word after the number", "I lost 20 euros and 100美元", [("20", "EUR"), ("100", "USD")]),
        ("a card's last four digits are no amount", "尾号1234的卡", []),
    ],
)
def test_amounts_come_with_their_currency(
    label: str, text: str, amounts: list[tuple[str, str]]
) -> None:
    found = extract_entities(text, TODAY).amounts
    assert [(a.amount, a.currency) for a in found] == [(Decimal(v), c) for v, c in amounts], label


@pytest.mark.parametrize(
    ("label", "text", "dates"),
    [
        ("昨天", "我昨天充的钱", [date(2026, 11, 19)]),
        ("前天", "前天转的", [date(2026, 11, 18)]),
        ("大前天", "大前天提现的", [date(2026, 11, 17)]),
        ("month and day", "11月3日那笔", [date(2026, 11, 3)]),
        ("month and day later in the year means last year", "12月25号买的", [date(2025, 12, 25)]),
        ("full Chinese date", "2025年1月2日", [date(2025, 1, 2)]),
        ("上周五", "上周五转的账", [date(2026, 11, 13)]),
        ("周三 is the latest Wednesday", "周三充值的", [date(2026, 11, 18)]),
        ("days ago in Chinese", "3天前", [date(2026, 11, 17)]),
        ("yesterday", "I topped up yesterday", [date(2026, 11, 19)]),
        ("day before yesterday", "the day before yesterday", [date(2026, 11, 18)]),
        ("month name first", "the payment on Nov 3", [date(2026, 11, 3)]),
        ("day first with ordinal", "on the 3rd of March 2025", [date(2025, 3, 3)]),
        ("last weekday", "last Friday", [date(2026, 11, 13)]),
        ("ISO date", "ref 2026-10-01", [date(2026, 10, 1)]),
        ("an impossible date is ignored", "2月30日", []),
    ],
)
def test_dates_are_resolved_against_today(label: str, text: str, dates: list[date]) -> None:
    assert [d.on for d in extract_entities(text, TODAY).dates] == dates, label


@pytest.mark.parametrize(
    ("label", "text", "last4"),
    [
        ("尾号", "尾号1234的卡被盗刷了", ("1234",)),
        ("尾号是", "我的卡尾号是 5678", ("5678",)),
        ("后四位", "卡号后四位4321", ("4321",)),
        ("ending in", "my card ending in 9876", ("9876",)),
        ("ends with", "the one that ends with 1111", ("1111",)),
        ("masked number", "card ****2468 declined", ("2468",)),
        ("five digits are not a last four", "尾号12345", ()),
        ("a bare number is not a card", "I paid 1234 yuan", ()),
    ],
)
def test_the_last_four_digits_of_a_card(label: str, text: str, last4: tuple[str, ...]) -> None:
    assert extract_entities(text, TODAY).card_last4 == last4, label


def test_transaction_references_are_found_in_any_case_and_next_to_chinese() -> None:
    found = extract_entities(
        "流水号ent_abcdefgh23456789的那笔, and BOP_ZZZZ2222YYYY3333, not xent_abcdefgh2345", TODAY
    )
    assert found.references == ("ent_abcdefgh23456789", "bop_zzzz2222yyyy3333")


def test_a_message_without_entities_is_falsy() -> None:
    assert not extract_entities("你好", TODAY)
