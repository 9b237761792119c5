"""The wallet's intent catalogue: what a customer may want, with training examples the team
wrote in zh-CN and English (``bot/data/intents/<name>.yaml``).

Each file names the intent, its group, whether it is urgent (an account takeover, a stolen card,
a scam in progress: the dialogue hands these off at once), the help-centre articles that answer
it (slugs) and, for a few intents, exact commands that need no model ("转人工", "human").
`out_of_scope` holds questions the wallet does not answer; the classifier learns it like any
other intent and reports it as out of scope.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from walletdesk.bot.text import normalise
from walletdesk.i18n import N_

LOCALES = ("zh-CN", "en")
OUT_OF_SCOPE = "out_of_scope"

TITLES: dict[str, str] = {
    "account_locked": N_("My account is locked"),
    "account_stolen": N_("Someone else is using my account"),
    "card_arrival": N_("My card has not arrived"),
    "card_binding": N_("Adding or removing a bank card"),
    "card_lost_or_stolen": N_("My card is lost or stolen"),
    "check_balance": N_("My balance"),
    "complaint": N_("Make a complaint"),
    "exchange_rate": N_("Exchange rates"),
    "fees": N_("Fees"),
    "forgot_password": N_("I forgot my password"),
    "freeze_account": N_("Freeze my wallet"),
    "greeting": N_("Hello"),
    "international_payment": N_("Paying and receiving abroad"),
    "is_this_really_you": N_("Check that a call or message is really from us"),
    "limits": N_("Limits"),
    "out_of_scope": N_("Something we cannot help with here"),
    "refund": N_("Refunds"),
    "scam_story": N_("Someone is asking me to move money"),
    "suggestion": N_("Make a suggestion"),
    "talk_to_human": N_("Talk to a person"),
    "thanks": N_("Thank you"),
    "top_up_failed": N_("A top-up failed"),
    "top_up_pending": N_("A top-up has not arrived"),
    "transaction_status": N_("A transaction and its status"),
    "transfer_not_received": N_("A transfer has not been received"),
    "two_factor": N_("Two-factor sign-in and codes"),
    "unfreeze_account": N_("Unfreeze my wallet"),
    "verification_call": N_("A verification call"),
    "withdrawal_pending": N_("A withdrawal has not arrived"),
    "wrong_amount_charged": N_("I was charged the wrong amount"),
}
"""What each intent is about, as a choice the bot can offer ("Did you mean …?")."""


class CatalogueError(ValueError):
    """A catalogue file is malformed: a build-time mistake, never a customer's."""


@dataclass(frozen=True)
class Intent:
    name: str
    group: str
    urgent: bool
    articles: tuple[str, ...]
    examples: dict[str, tuple[str, ...]]
    commands: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """An English msgid: translate it for the reader."""
        return TITLES[self.name]


@dataclass(frozen=True)
class Catalogue:
    intents: tuple[Intent, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(intent.name for intent in self.intents)

    def __getitem__(self, name: str) -> Intent:
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)

    def examples(self) -> Iterator[tuple[str, str, str]]:
        """(text, intent, locale) for every training example."""
        for intent in self.intents:
            for locale in LOCALES:
                for text in intent.examples.get(locale, ()):
                    yield text, intent.name, locale

    def commands(self) -> dict[str, str]:
        """Normalised exact command → intent."""
        return {
            normalise(command): intent.name
            for intent in self.intents
            for phrases in intent.commands.values()
            for command in phrases
        }

    def digest(self) -> str:
        """SHA-256 of the catalogue's content: a model trained on another one is stale."""
        canonical = [
            {
                "name": i.name,
                "group": i.group,
                "urgent": i.urgent,
                "articles": list(i.articles),
                "examples": {k: list(v) for k, v in sorted(i.examples.items())},
                "commands": {k: list(v) for k, v in sorted(i.commands.items())},
            }
            for i in self.intents
        ]
        blob = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _by_locale(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not set(value) <= set(LOCALES):
        raise CatalogueError(f"{where}: expected a mapping of {', '.join(LOCALES)}")
    return {locale: _strings(items, f"{where}.{locale}") for locale, items in value.items()}


def parse_intent(text: str, where: str) -> Intent:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise CatalogueError(f"{where}: expected a mapping with a name")
    name = data["name"]
    if name not in TITLES:
        raise CatalogueError(f"{where}: intent {name!r} has no title in catalogue.TITLES")
    examples = _by_locale(data.get("examples"), f"{where}.examples")
    if set(examples) != set(LOCALES):
        raise CatalogueError(f"{where}: examples are needed in {', '.join(LOCALES)}")
    return Intent(
        name=name,
        group=str(data.get("group", "general")),
        urgent=bool(data.get("urgent", False)),
        articles=_strings(data.get("articles") or [], f"{where}.articles"),
        examples=examples,
        commands=_by_locale(data.get("commands"), f"{where}.commands"),
    )


def load_catalogue() -> Catalogue:
    """The catalogue shipped in the package, intents in name order."""
    folder = resources.files("walletdesk.bot") / "data" / "intents"
    intents = [
        parse_intent(entry.read_text(encoding="utf-8"), entry.name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]
    return Catalogue(tuple(intents))
