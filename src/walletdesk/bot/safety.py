"""The assistant as the first line against scams and account takeover (issue 6, item 5).

- A scam story (someone "from customer service" wants money moved to a "safe account"
  (安全账户), asks to share the screen (屏幕共享), or wants a fee paid before a refund) gets an
  immediate warning, an offer to freeze, and an urgent hand-off. The model's `scam_story`
  intent catches the stories it has seen; the phrases below catch the tell-tale words in any
  story, whatever the model says, because a miss costs a customer their savings.
- Account takeover and a stolen card (the catalogue's urgent intents) hand off as urgent.
- Secrets: `support.cases.do_add_message` masks codes, passwords and card/ID numbers before a
  customer's message is stored; the assistant only ever sees the masked text, recognises the
  mask and says that a real agent never asks for them.
"""

from __future__ import annotations

import re

from walletdesk.bot.catalogue import Catalogue

SCAM_INTENT = "scam_story"
_SCAM_PHRASES = re.compile(
    "|".join(
        (
            r"安全账户",
            r"安全帐户",
            r"屏幕共享",
            r"共享屏幕",
            r"远程控制",
            r"远程协助",
            r"(?:退款|理赔|解冻).{0,12}(?:手续费|保证金|服务费|押金)",
            r"(?:手续费|保证金|服务费|押金).{0,12}(?:退款|理赔)",
            r"safe\s+account",
            r"secure\s+account",
            r"safety\s+account",
            r"shar(?:e|ing)\s+(?:my\s+|your\s+|the\s+)?screen",
            r"screen\s*shar",
            r"remote\s+(?:access|control|desktop)",
            r"anydesk|teamviewer",
            r"refund.{0,40}\b(?:fee|deposit)\b",
            r"\b(?:fee|deposit)\b.{0,40}refund",
        )
    ),
    re.IGNORECASE,
)
_MASKED = re.compile(r"\*{4,}")


def sounds_like_scam(text: str) -> bool:
    """True when the words of a scam script are in the message."""
    return bool(_SCAM_PHRASES.search(text))


def is_scam(intent: str | None, text: str) -> bool:
    return intent == SCAM_INTENT or sounds_like_scam(text)


def urgent_intents(catalogue: Catalogue) -> frozenset[str]:
    """Intents the catalogue marks urgent: account takeover, a stolen card, a scam."""
    return frozenset(intent.name for intent in catalogue.intents if intent.urgent)


def was_masked(stored_text: str) -> bool:
    """The stored message had a secret masked out of it (a run of asterisks)."""
    return bool(_MASKED.search(stored_text))
