"""Entities the bot pulls out of a message: amounts with their currency ("¥88", "88元",
"$12.50", "1.5万元"), dates ("昨天", "11月3日", "上周五", "yesterday", "Nov 3"), the last four
digits of a card ("尾号1234", "ending 1234") and transaction references (``ent_…``, ``bop_…``).

Relative dates are resolved against `today`, which the caller takes from its clock. A day and
month without a year that would lie in the future means the last such day: customers ask
about what already happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from walletdesk.bot.text import normalise

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULTIPLIER = {"万": Decimal(10_000), "千": Decimal(1_000), "k": Decimal(1_000)}
_CURRENCY_WORDS = {
    "CNY": ("¥", "rmb", "cny", "元", "块钱", "块", "人民币", "yuan"),
    "USD": ("us$", "$", "usd", "美元", "美金", "dollars", "dollar", "bucks"),
    "HKD": ("hk$", "hkd", "港币", "港元"),
    "EUR": ("€", "eur", "euros", "euro", "欧元"),
    "GBP": ("£", "gbp", "英镑", "pounds"),
    "JPY": ("jpy", "日元", "日币", "yen"),
}
_CURRENCY_OF = {word: code for code, spellings in _CURRENCY_WORDS.items() for word in spellings}
_PREFIXES = ("us$", "hk$", "$", "¥", "€", "£", "rmb", "cny", "usd", "hkd", "eur", "gbp", "jpy")
_SUFFIXES = sorted(
    (w for w in _CURRENCY_OF if w not in ("$", "¥", "€", "£")), key=len, reverse=True
)


def _alternatives(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_AMOUNT = re.compile(
    rf"(?<![a-z0-9_.])(?P<prefix>{_alternatives(_PREFIXES)})\s?(?P<pnum>{_NUMBER})"
    rf"(?P<pmult>[万千k])?(?:\s?(?:{_alternatives(_SUFFIXES)}))?(?![\d.])"
    rf"|(?<![\d.,])(?P<num>{_NUMBER})\s?(?P<mult>[万千k])?\s?(?P<suffix>{_alternatives(_SUFFIXES)})"
    r"(?![a-z])"
)

_LAST4 = re.compile(
    r"(?:尾号|卡尾|末尾|后四位|后4位|末四位|末4位|ending(?: in| with)?|ends? (?:in|with)"
    r"|last (?:4|four)(?: digits)?|(?:[*x•]){2,})"
    r"\s?(?:是|为|:|#|no\.?|are|is)?\s?(?P<digits>\d{4})(?!\d)"
)

REFERENCE_PREFIXES = ("ent", "bop", "top", "wdr", "pay", "rfd", "rvl", "hld", "trf", "ord", "fxq")
_REFERENCE = re.compile(
    rf"(?<![a-z0-9_])(?:{'|'.join(REFERENCE_PREFIXES)})_[a-z0-9]{{8,32}}(?![a-z0-9])"
)

_ZH_DAY = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
_EN_DAY = {"today": 0, "yesterday": 1, "day before yesterday": 2}
_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_EN_WEEKDAY = {
    name: i
    for i, names in enumerate(
        [
            ("monday",),
            ("tuesday", "tues"),
            ("wednesday",),
            ("thursday", "thurs"),
            ("friday",),
            ("saturday",),
            ("sunday",),
        ]
    )
    for name in names
}
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = _alternatives(list(_MONTHS))
_WEEKDAY_NAMES = _alternatives(list(_EN_WEEKDAY))
_ORDINAL = r"(?:st|nd|rd|th)?"

_DATE = re.compile(
    r"(?P<iso>(?<!\d)(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d))"
    r"|(?P<zhmd>(?:(?P<zy>\d{4})年)?(?P<zm>\d{1,2})月(?P<zd>\d{1,2})[日号])"
    r"|(?P<zhlast>上个?月(?P<lmd>\d{1,2})[日号])"
    r"|(?P<zhd>(?<![\d月])(?P<dd>\d{1,2})[日号](?![线楼码]))"
    r"|(?P<zhago>(?P<zn>\d{1,2})天(?:以)?前)"
    r"|(?P<zhweek>(?P<zlast>上个?)?(?:周|星期|礼拜)(?P<zw>[一二三四五六日天末]))"
    r"|(?P<zhrel>大前天|前天|昨天|昨日|今天|今日)"
    rf"|(?P<enmd>(?<![a-z])(?P<em>{_MONTH_NAMES})\.? (?P<ed>\d{{1,2}}){_ORDINAL}"
    r"(?:,? (?P<ey>\d{4}))?(?![\d:]))"
    rf"|(?P<endm>(?<!\d)(?P<ed2>\d{{1,2}}){_ORDINAL} (?:of )?(?P<em2>{_MONTH_NAMES})(?![a-z])"
    r"(?:,? (?P<ey2>\d{4}))?)"
    r"|(?P<enago>(?P<en>\d{1,2}|a|one|two|three) days? ago)"
    rf"|(?P<enweek>(?<![a-z])(?:(?P<elast>last) )?(?P<ew>{_WEEKDAY_NAMES})(?![a-z]))"
    r"|(?P<enrel>(?:the )?day before yesterday|yesterday|today)"
)
_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3}


@dataclass(frozen=True)
class AmountMention:
    amount: Decimal
    currency: str
    text: str


@dataclass(frozen=True)
class DateMention:
    on: date
    text: str


@dataclass(frozen=True)
class Entities:
    amounts: tuple[AmountMention, ...] = ()
    dates: tuple[DateMention, ...] = ()
    card_last4: tuple[str, ...] = ()
    references: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.amounts or self.dates or self.card_last4 or self.references)


def extract_entities(text: str, today: date) -> Entities:
    normal = normalise(text)
    return Entities(
        amounts=tuple(_amounts(normal)),
        dates=tuple(_dates(normal, today)),
        card_last4=tuple(dict.fromkeys(m.group("digits") for m in _LAST4.finditer(normal))),
        references=tuple(dict.fromkeys(m.group() for m in _REFERENCE.finditer(normal))),
    )


def _amounts(normal: str) -> list[AmountMention]:
    found = []
    for match in _AMOUNT.finditer(normal):
        if match.group("prefix"):
            number, multiplier = match.group("pnum"), match.group("pmult")
            currency = _CURRENCY_OF[match.group("prefix")]
        else:
            number, multiplier = match.group("num"), match.group("mult")
            currency = _CURRENCY_OF[match.group("suffix")]
        try:
            amount = Decimal(number.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            continue
        if multiplier:
            amount *= _MULTIPLIER[multiplier]
        found.append(AmountMention(amount, currency, match.group().strip()))
    return found


def _dates(normal: str, today: date) -> list[DateMention]:
    found = []
    for match in _DATE.finditer(normal):
        on = _resolve(match, today)
        if on is not None:
            found.append(DateMention(on, match.group()))
    return found


def _resolve(m: re.Match[str], today: date) -> date | None:
    kind = m.lastgroup
    if kind == "iso":
        return _day(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
    if kind == "zhmd":
        return _month_day(today, int(m.group("zm")), int(m.group("zd")), m.group("zy"))
    if kind == "zhlast":
        first_of_this = today.replace(day=1)
        previous = first_of_this - timedelta(days=1)
        return _day(previous.year, previous.month, int(m.group("lmd")))
    if kind == "zhd":
        day = int(m.group("dd"))
        on = _day(today.year, today.month, day)
        if on is None or on > today:
            previous = today.replace(day=1) - timedelta(days=1)
            return _day(previous.year, previous.month, day)
        return on
    if kind == "zhago":
        return today - timedelta(days=int(m.group("zn")))
    if kind == "zhweek":
        return _weekday(today, _ZH_WEEKDAY[m.group("zw")], last_week=bool(m.group("zlast")))
    if kind == "zhrel":
        return today - timedelta(days=_ZH_DAY[m.group()])
    if kind == "enmd":
        return _month_day(today, _MONTHS[m.group("em")], int(m.group("ed")), m.group("ey"))
    if kind == "endm":
        return _month_day(today, _MONTHS[m.group("em2")], int(m.group("ed2")), m.group("ey2"))
    if kind == "enago":
        count = m.group("en")
        return today - timedelta(days=_SMALL_NUMBERS.get(count) or int(count))
    if kind == "enweek":
        return _weekday(today, _EN_WEEKDAY[m.group("ew")], last_week=bool(m.group("elast")))
    if kind == "enrel":
        return today - timedelta(days=_EN_DAY[m.group().removeprefix("the ")])
    return None  # pragma: no cover - every alternative of _DATE is named above


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(today: date, month: int, day: int, year: str | None) -> date | None:
    if year:
        return _day(int(year), month, day)
    on = _day(today.year, month, day)
    if on is not None and on > today:
        return _day(today.year - 1, month, day)
    return on


def _weekday(today: date, weekday: int, *, last_week: bool) -> date:
    """ "周五" is the latest Friday up to today; "上周五" is the Friday of the week before."""
    if last_week:
        monday_this_week = today - timedelta(days=today.weekday())
        return monday_this_week - timedelta(days=7) + timedelta(days=weekday)
    return today - timedelta(days=(today.weekday() - weekday) % 7)
