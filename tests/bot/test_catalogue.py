from pathlib import Path

import pytest
import yaml

from walletdesk.bot.catalogue import (
    LOCALES,
    OUT_OF_SCOPE,
    TITLES,
    Catalogue,
    CatalogueError,
    parse_intent,
)
from walletdesk.i18n import translate

REQUIRED = {
    "card_arrival", "card_binding", "top_up_failed", "top_up_pending", "withdrawal_pending",
    "transfer_not_received", "wrong_amount_charged", "refund", "forgot_password",
    "account_locked", "account_stolen", "card_lost_or_stolen", "two_factor", "limits", "fees",
    "exchange_rate", "international_payment", "freeze_account", "unfreeze_account",
    "verification_call", "complaint", "suggestion", "is_this_really_you", "talk_to_human",
    "greeting", "thanks", "scam_story",
}  # fmt: skip
HELD_OUT = yaml.safe_load((Path(__file__).parent / "heldout.yaml").read_text(encoding="utf-8"))


def test_the_catalogue_covers_the_wallets_topics(catalogue: Catalogue) -> None:
    assert REQUIRED <= set(catalogue.names)
    assert OUT_OF_SCOPE in catalogue.names


def test_every_intent_has_at_least_25_distinct_examples_in_each_language(
    catalogue: Catalogue,
) -> None:
    for intent in catalogue.intents:
        for locale in LOCALES:
            examples = intent.examples[locale]
            assert len(set(examples)) >= 25, (intent.name, locale)


def test_no_example_is_taught_for_two_intents(catalogue: Catalogue) -> None:
    seen: dict[str, str] = {}
    for text, intent, _ in catalogue.examples():
        assert seen.setdefault(text.casefold(), intent) == intent, text


def test_the_held_out_questions_are_not_in_the_catalogue(catalogue: Catalogue) -> None:
    taught = {text.casefold() for text, _, _ in catalogue.examples()}
    held_out = [q for by_locale in HELD_OUT.values() for qs in by_locale.values() for q in qs]
    assert len(held_out) == 180
    assert [q for q in held_out if q.casefold() in taught] == []


def test_urgent_intents_are_takeover_stolen_card_and_scams(catalogue: Catalogue) -> None:
    urgent = {intent.name for intent in catalogue.intents if intent.urgent}
    assert urgent == {"account_stolen", "card_lost_or_stolen", "scam_story"}


def test_every_intent_title_reads_in_chinese(catalogue: Catalogue) -> None:
    for intent in catalogue.intents:
        assert translate(intent.title, "zh-CN") != intent.title, intent.name
    assert set(TITLES) == set(catalogue.names)


def test_the_digest_changes_with_one_example(catalogue: Catalogue) -> None:
    first = catalogue.intents[0]
    changed = Catalogue(
        (
            type(first)(
                name=first.name,
                group=first.group,
                urgent=first.urgent,
                articles=first.articles,
                examples={**first.examples, "en": (*first.examples["en"], "one more")},
            ),
            *catalogue.intents[1:],
        )
    )
    assert changed.digest() != catalogue.digest()


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("not a mapping", "- just a list"),
        ("unknown intent", "name: pizza_order\nexamples: {zh-CN: [a], en: [b]}"),
        ("one language only", "name: fees\nexamples: {en: [what fee]}"),
        ("an example that is not text", "name: fees\nexamples: {zh-CN: [费用], en: [{a: b}]}"),
    ],
)
def test_a_malformed_intent_file_is_refused(label: str, text: str) -> None:
    with pytest.raises(CatalogueError):
        parse_intent(text, "test.yaml")
