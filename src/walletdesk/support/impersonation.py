"""Agent drafts that sound like a scammer are refused (DESIGN principle 4).

A real agent never asks for a password, a one-time code, a CVV, a full bank card number or a
full ID number, and never asks anyone to move money to a "safe account" (安全账户). A public
reply that does is not sent: `refuse_unsafe_draft` writes an audit entry (so supervisors see
who tried), commits it, and raises `DraftRefused` (422 `draft_refused`).

`risky_requests(text)` is the pure part, usable by the bot and the channel adapters for their
own outbound text. It reads the text clause by clause; a clause that warns ("请勿向任何人提供
验证码", "we will never ask for your password") is not a request. The card and ID rules spare
requests for the last four digits (后四位, last four), which agents may ask for.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support.masking import mask_sensitive

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.access import SupportActor
    from walletdesk.support.models import Case


class RiskyAsk(StrEnum):
    CODE = "code"
    PASSWORD = "password"  # noqa: S105 - a kind of request, not a secret
    CARD_NUMBER = "card_number"
    ID_NUMBER = "id_number"
    SAFE_ACCOUNT = "safe_account"


class DraftRefused(ValidationFailed):
    default_code = "draft_refused"
    default_message = N_(
        "This reply was not sent: a real agent never asks for a password, a verification code, "
        "a full card or ID number, or a transfer to a \u201csafe account\u201d. Rephrase it."
    )


_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_CLAUSES = re.compile(r"[。！？!?；;，,\n]|(?<![0-9])\.(?![0-9])")


def normalise(text: str) -> str:
    """Full-width forms folded, invisible characters and spaces between Chinese characters
    removed ("验 证\u200b码" reads as 验证码), lower case."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _INVISIBLE.sub("", folded)
    return _CJK_SPACE.sub("", folded).lower()


_ZH_CODE = r"(?:验证码|校验码|动态码|动态密码|短信码|确认码|随机码|cvv|cvn|cvc|安全码)"
_ZH_PASSWORD = r"(?:支付密码|登录密码|取款密码|交易密码|密码|口令)"  # noqa: S105 - a pattern
_ZH_CARD = r"(?:银行卡号|卡号)"
_ZH_ID = r"(?:身份证号码|身份证号|证件号码|证件号)"
_ZH_ASK = (
    r"(?:提供|告诉(?![您你](?!的))|告知(?![您你](?!的))|发给|发来|发我|发一下|报一下|报给|报出|"
    r"说出|说一下|念一下|念给|读一下|读给|回复|截图|给我|给我们|核对一下|确认一下|索要|索取)"
)
_ZH_ASK_AFTER = r"(?:是多少|多少|发我|发过来|发给我|报一下|告诉我|给我|念一下|读一下|说一下)"
_ZH_HAND_OVER = r"(?:提供|告诉|告知|发送|发给|发来|发过来|报给|说出|念给|读给|回复|给我|给我们)"
_ZH_NEGATION = re.compile(
    r"(?:不要|不会|不用|不需要|无需|切勿|请勿|勿|别|绝不|决不|从不|不得|不能|禁止|没有|不存在)"
)
_LAST_FOUR = re.compile(
    r"(?:后四位|后4位|末四位|末4位|尾号|最后四位|最后4位|last\s+(?:four|4)|ending\s+in|ends\s+with)"
)

_EN_ASK = (
    r"(?:\b(?:give|tell|share|provide|read|repeat|forward|reveal|disclose|confirm)\b"
    r"(?!\s+you\b)|\bsend\s+(?:me|us|it|over|back)\b|\bask\s+for\b|"
    r"\b(?:need|want|require)\s+(?:your|the)\b|\bwhat(?:\s+is|'s|s)\s+(?:your|the)\b)"
)
_EN_HARMLESS_QUALIFIERS = (
    r"(?:error|reference|order|transaction|zip|postal|promo|coupon|discount|invitation|"
    r"referral|qr|tracking|bank|swift|branch|area|country|status|product|merchant)"
)
_HARMLESS_CODES = re.compile(r"\b" + _EN_HARMLESS_QUALIFIERS + r"\s+codes?\b")
"""Codes an agent may well ask for ("the error code on the screen"); removed before the
code rule reads a clause."""
_EN_CODE = r"\b(?:codes?|otp|pin|cvv|cvc|passcode)\b"
_EN_PASSWORD = r"\b(?:password|passwd|login\s+details|credentials)\b"  # noqa: S105
_EN_CARD = r"\b(?:full\s+|complete\s+|entire\s+|whole\s+)?(?:bank\s+)?card\s+number\b"
_EN_ID = r"\b(?:id|identity|passport)\s+(?:card\s+)?number\b"
_EN_NEGATION = re.compile(
    r"\b(?:never|not|don't|dont|do\s+not|won't|will\s+not|no\s+one|nobody|no\s+need|"
    r"no\s+such)\b"
)

_SAFE_ACCOUNT = re.compile(
    r"(?:安全账户|安全账号|安全帐户|安全帐号|保险账户|监管账户|清查账户|"
    r"\b(?:safe|secure|safety|protected|holding)\s+(?:bank\s+)?account)"
)
_TRANSFER_TO = re.compile(
    r"(?:转(?:账|款|钱)?(?:到|入|至|进)(?:这个|以下|下面|如下|指定的?|我们的?|我提供的|我给您?的|新的?)"
    r"[^，。！？]{0,8}(?:账户|帐户|账号|帐号|卡)|"
    r"\b(?:transfer|move|send|wire)\b[^.!?]{0,40}\bto\b[^.!?]{0,20}"
    r"\b(?:this|the\s+following|our|a\s+new|new|designated|another)\s+(?:bank\s+)?account)"
)


def _asks(noun: str) -> list[re.Pattern[str]]:
    """Request patterns for one kind of secret: verb then noun, 把 noun … verb, noun then
    "what is it" (Chinese); verb … noun (English)."""
    return [
        re.compile(_ZH_ASK + r"[^，。！？]{0,10}?" + noun),
        re.compile(r"把[^，。！？]{0,10}?" + noun + r"[^，。！？]{0,10}?" + _ZH_HAND_OVER),
        re.compile(noun + r"[^，。！？]{0,4}?" + _ZH_ASK_AFTER),
    ]


_RULES: list[tuple[RiskyAsk, list[re.Pattern[str]]]] = [
    (
        RiskyAsk.CODE,
        [*_asks(_ZH_CODE), re.compile(_EN_ASK + r"[^.!?]{0,40}?" + _EN_CODE)],
    ),
    (
        RiskyAsk.PASSWORD,
        [*_asks(_ZH_PASSWORD), re.compile(_EN_ASK + r"[^.!?]{0,40}?" + _EN_PASSWORD)],
    ),
    (
        RiskyAsk.CARD_NUMBER,
        [*_asks(_ZH_CARD), re.compile(_EN_ASK + r"[^.!?]{0,40}?" + _EN_CARD)],
    ),
    (
        RiskyAsk.ID_NUMBER,
        [*_asks(_ZH_ID), re.compile(_EN_ASK + r"[^.!?]{0,40}?" + _EN_ID)],
    ),
]


_FRESH_REQUEST = re.compile(r"请(?!勿)")


def _negated(clause: str, at: int) -> bool:
    """A negation shortly before the request ("请勿…提供", "we will never ask for")."""
    # Close before the verb only: "I don't know why, but tell me the code" still asks.
    before = clause[max(0, at - 8) : at]
    # A new 请 starts a new request: "请不要担心，请提供…" / "不要担心请提供验证码".
    before = _FRESH_REQUEST.split(before)[-1]
    return bool(_ZH_NEGATION.search(before) or _EN_NEGATION.search(clause[max(0, at - 16) : at]))


def _clause_asks(clause: str) -> set[RiskyAsk]:
    found: set[RiskyAsk] = set()
    for kind, patterns in _RULES:
        text = _HARMLESS_CODES.sub(" ", clause) if kind is RiskyAsk.CODE else clause
        for pattern in patterns:
            match = pattern.search(text)
            if match is None or _negated(text, match.start()):
                continue
            if kind in (RiskyAsk.CARD_NUMBER, RiskyAsk.ID_NUMBER) and _LAST_FOUR.search(text):
                continue
            found.add(kind)
    for pattern in (_SAFE_ACCOUNT, _TRANSFER_TO):
        match = pattern.search(clause)
        if match is not None and not _ZH_NEGATION.search(clause[: match.start()]):
            if not _EN_NEGATION.search(clause[: match.start()]):
                found.add(RiskyAsk.SAFE_ACCOUNT)
    return found


def risky_requests(text: str) -> frozenset[RiskyAsk]:
    """What `text` asks the customer for that a real agent never asks for."""
    found: set[RiskyAsk] = set()
    for clause in _CLAUSES.split(normalise(text)):
        if clause.strip():
            found |= _clause_asks(clause)
    return frozenset(found)


DRAFT_EXCERPT = 500


def refuse_unsafe_draft(
    uow: UnitOfWork, actor: SupportActor, case: Case, text: str, *, rt: Runtime
) -> None:
    """Refuse a public reply that asks for secrets: audit it, commit, raise `DraftRefused`.

    The caller has fetched `case` through the door and has written nothing yet in `uow`, so
    the commit holds the audit entry only. Nothing happens for a harmless draft."""
    asks = risky_requests(text)
    if not asks:
        return
    record(
        uow,
        at=rt.clock.now(),
        actor=Actor.staff(actor.user_id) if actor.user_id else Actor.system(),
        action="support.draft_refused",
        subject_kind="case",
        subject_id=case.id,
        details={
            "asks": sorted(asks),
            # The draft is evidence; anything secret a draft itself carried is masked.
            "draft": mask_sensitive(text[:DRAFT_EXCERPT]).text,
        },
    )
    uow.commit()
    raise DraftRefused(field="text")
