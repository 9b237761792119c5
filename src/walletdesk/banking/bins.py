"""Card numbers: the Luhn check and which bank issued a card, from its BIN (the first six
digits), for the major mainland Chinese banks.

The prefixes are real BINs of each bank's common debit (借记卡/储蓄卡) and credit (信用卡)
products. A card whose BIN is not listed is refused with a clear message rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from walletdesk.i18n import N_


class CardType(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


@dataclass(frozen=True)
class Bank:
    code: str
    name: str
    """English name, a msgid: shown translated (中国工商银行 in zh-CN)."""
    name_zh: str
    """The name the bank signs its own messages with."""


BANKS: dict[str, Bank] = {
    bank.code: bank
    for bank in (
        Bank("ICBC", N_("Industrial and Commercial Bank of China"), "工商银行"),
        Bank("CCB", N_("China Construction Bank"), "建设银行"),
        Bank("ABC", N_("Agricultural Bank of China"), "农业银行"),
        Bank("BOC", N_("Bank of China"), "中国银行"),
        Bank("BOCOM", N_("Bank of Communications"), "交通银行"),
        Bank("CMB", N_("China Merchants Bank"), "招商银行"),
        Bank("PSBC", N_("Postal Savings Bank of China"), "邮储银行"),
    )
}

_DEBIT = CardType.DEBIT
_CREDIT = CardType.CREDIT

BIN_TABLE: dict[str, tuple[str, CardType]] = {
    # ICBC 工商银行: 牡丹灵通卡 (debit); 牡丹信用卡 (credit)
    "622202": ("ICBC", _DEBIT),
    "622208": ("ICBC", _DEBIT),
    "621226": ("ICBC", _DEBIT),
    "621288": ("ICBC", _DEBIT),
    "622230": ("ICBC", _CREDIT),
    "622235": ("ICBC", _CREDIT),
    "427018": ("ICBC", _CREDIT),
    # CCB 建设银行: 龙卡储蓄卡 (debit); 龙卡信用卡 (credit)
    "621700": ("CCB", _DEBIT),
    "622700": ("CCB", _DEBIT),
    "436742": ("CCB", _DEBIT),
    "622166": ("CCB", _CREDIT),
    "622168": ("CCB", _CREDIT),
    "436728": ("CCB", _CREDIT),
    # ABC 农业银行: 金穗借记卡 (debit); 金穗贷记卡 (credit)
    "622848": ("ABC", _DEBIT),
    "622845": ("ABC", _DEBIT),
    "623052": ("ABC", _DEBIT),
    "622836": ("ABC", _CREDIT),
    "622837": ("ABC", _CREDIT),
    # BOC 中国银行: 长城电子借记卡 (debit); 长城信用卡 (credit)
    "621661": ("BOC", _DEBIT),
    "621663": ("BOC", _DEBIT),
    "621785": ("BOC", _DEBIT),
    "601382": ("BOC", _DEBIT),
    "625908": ("BOC", _CREDIT),
    "625910": ("BOC", _CREDIT),
    "518378": ("BOC", _CREDIT),
    # BOCOM 交通银行: 太平洋借记卡 (debit); 太平洋信用卡 (credit)
    "622260": ("BOCOM", _DEBIT),
    "622262": ("BOCOM", _DEBIT),
    "405512": ("BOCOM", _DEBIT),
    "622250": ("BOCOM", _CREDIT),
    "521899": ("BOCOM", _CREDIT),
    # CMB 招商银行: 一卡通 (debit); 招商银行信用卡 (credit)
    "622588": ("CMB", _DEBIT),
    "621483": ("CMB", _DEBIT),
    "621485": ("CMB", _DEBIT),
    "622575": ("CMB", _CREDIT),
    "622576": ("CMB", _CREDIT),
    "439225": ("CMB", _CREDIT),
    # PSBC 邮储银行: 绿卡通 (debit)
    "621799": ("PSBC", _DEBIT),
    "622188": ("PSBC", _DEBIT),
}


@dataclass(frozen=True)
class BinInfo:
    bank: Bank
    card_type: CardType


def luhn_ok(number: str) -> bool:
    """The ISO/IEC 7812 check digit: doubling every second digit from the right."""
    if not number.isdigit() or not number.isascii():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def lookup_bin(number: str) -> BinInfo | None:
    found = BIN_TABLE.get(number[:6])
    if found is None:
        return None
    bank_code, card_type = found
    return BinInfo(BANKS[bank_code], card_type)
