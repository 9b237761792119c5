"""Masking secrets in what customers write, before it is stored (DESIGN principle 4).

Agents and the bot must never see a one-time code, a password, a full bank card number or a
full resident ID number, even when a customer (often coached by a scammer) types one into the
chat. `mask_sensitive` is a pure function: `support.cases.do_add_message` runs it on every
message a contact writes, stores only the masked text, and adds the system notice below.

What counts:

- a code: 4–8 digits right after (or right before) a word such as 验证码, 动态码, 密码, code,
  OTP, PIN or password (`验证码是123456` → `验证码是******`);
- a password: the word (密码, 口令, password, passcode, pwd) with a separator, then an ASCII
  token (`我的密码是abc123` → `我的密码是******`);
- a bank card number: 16–19 digits, optionally grouped by spaces or dashes, that pass the Luhn
  check (the last four stay visible, as on a receipt);
- a resident ID number: 18 characters with a valid GB 11643 check character and birth date
  (first and last four stay visible, as `identity.masking` shows it everywhere).

A 16-digit number that fails the Luhn check (an order number) is left alone. Masking errs on
the side of hiding: a false positive costs the agent a question, a miss leaks a secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from walletdesk.banking.bins import luhn_ok
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.kyc import check_resident_id
from walletdesk.identity.masking import mask_id_number

MASKED_NOTICE = N_(
    "For your safety we hid the code, password or card or ID number in your message. "
    "A real agent never asks for your password or code: never tell them to anyone, "
    "even if the person says they are from walletdesk."
)
"""The system message a customer sees after a message of theirs was masked."""

PASSWORD_MASK = "******"  # noqa: S105 - what replaces a password


class Secret(StrEnum):
    CODE = "code"
    PASSWORD = "password"  # noqa: S105 - a kind of secret, not a secret
    CARD_NUMBER = "card_number"
    ID_NUMBER = "id_number"


@dataclass(frozen=True)
class Masked:
    text: str
    found: frozenset[Secret]

    @property
    def changed(self) -> bool:
        return bool(self.found)


_ASCII_WORD_START = r"(?<![A-Za-z])"
_ASCII_WORD_END = r"(?![A-Za-z])"
_CODE_WORDS = (
    r"(?:验证码|校验码|动态码|动态密码|短信码|确认码|安全码|口令|密码|"
    + _ASCII_WORD_START
    + r"(?:codes?|otp|pin|passcode|password|pwd)"
    + _ASCII_WORD_END
    + ")"
)
_CODE_GAP = r"(?:[\s:：=＝,，]|是|为|就是|is|was|are){0,5}"
_DIGITS = r"(?<!\d)(?P<digits>\d{4,8})(?!\d)"
_CODE_AFTER_WORD = re.compile(_CODE_WORDS + _CODE_GAP + _DIGITS, re.IGNORECASE)
_CODE_BEFORE_WORD = re.compile(
    _DIGITS + r"\s*(?:是|就是|为|is|was)?\s*(?:我的|你的|the|my|your)?\s*" + _CODE_WORDS,
    re.IGNORECASE,
)
_PASSWORD = re.compile(
    r"(?:支付密码|登录密码|密码|口令|"
    + _ASCII_WORD_START
    + r"(?:password|passcode|passwd|pwd)"
    + _ASCII_WORD_END
    + r")(?P<gap>(?:[\s:：=＝]|是|为|就是|is|was){1,5})(?P<token>[!-~]+)",
    re.IGNORECASE,
)
_NOT_A_PASSWORD = frozenset(
    {
        "wrong",
        "incorrect",
        "correct",
        "right",
        "not",
        "invalid",
        "expired",
        "locked",
        "forgotten",
        "forgot",
        "reset",
        "changed",
        "the",
        "too",
        "very",
        "ok",
        "okay",
        "fine",
        "no",
        "yes",
    }
)
_CARD_LIKE = re.compile(r"(?<![\dA-Za-z])\d(?:[ -]?\d){15,}(?![\dA-Za-z])")
_ID_LIKE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_GROUP = re.compile(r"\d+")


def is_resident_id(candidate: str) -> bool:
    """A well-formed GB 11643 number (check character and a real birth date)."""
    try:
        check_resident_id(candidate, today=date.max)
    except ValidationFailed:
        return False
    return True


def _mask_ids(text: str, found: set[Secret]) -> str:
    def replace(match: re.Match[str]) -> str:
        if not is_resident_id(match.group(0)):
            return match.group(0)
        found.add(Secret.ID_NUMBER)
        return mask_id_number(match.group(0).upper())

    return _ID_LIKE.sub(replace, text)


def _card_span(candidate: str) -> tuple[int, int] | None:
    """The longest run of whole digit groups in `candidate` that is a card number."""
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(candidate)]
    best: tuple[int, int] | None = None
    for first in range(len(groups)):
        for last in range(len(groups) - 1, first - 1, -1):
            start, end = groups[first][0], groups[last][1]
            digits = "".join(candidate[a:b] for a, b in groups[first : last + 1])
            if 16 <= len(digits) <= 19 and luhn_ok(digits):
                if best is None or end - start > best[1] - best[0]:
                    best = (start, end)
                break
    return best


def _mask_digits_keeping_last(text: str, keep: int) -> str:
    total = sum(ch.isdigit() for ch in text)
    seen = 0
    out = []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_cards(text: str, found: set[Secret]) -> str:
    def replace(match: re.Match[str]) -> str:
        candidate = match.group(0)
        span = _card_span(candidate)
        if span is None:
            return candidate
        found.add(Secret.CARD_NUMBER)
        start, end = span
        return (
            candidate[:start]
            + _mask_digits_keeping_last(candidate[start:end], 4)
            + (candidate[end:])
        )

    return _CARD_LIKE.sub(replace, text)


def _mask_codes(text: str, found: set[Secret]) -> str:
    def replace(match: re.Match[str]) -> str:
        found.add(Secret.CODE)
        whole, start = match.group(0), match.start("digits") - match.start()
        digits = match.group("digits")
        return whole[:start] + "*" * len(digits) + whole[start + len(digits) :]

    text = _CODE_AFTER_WORD.sub(replace, text)
    return _CODE_BEFORE_WORD.sub(replace, text)


def _mask_passwords(text: str, found: set[Secret]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group("token")
        if token.lower().rstrip(".,!?") in _NOT_A_PASSWORD or set(token) <= {"*"}:
            return match.group(0)
        found.add(Secret.PASSWORD)
        return match.group(0)[: match.start("token") - match.start()] + PASSWORD_MASK

    return _PASSWORD.sub(replace, text)


def mask_sensitive(text: str) -> Masked:
    """`text` with codes, passwords, card and ID numbers hidden, and what was found.

    ID numbers go first (18 characters that could pass for a card number), then cards, then
    codes and passwords, so a long number is never half-masked as a code."""
    found: set[Secret] = set()
    masked = _mask_ids(text, found)
    masked = _mask_cards(masked, found)
    masked = _mask_codes(masked, found)
    masked = _mask_passwords(masked, found)
    return Masked(masked, frozenset(found))
