from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from walletdesk.bot.faq import FaqEntry
from walletdesk.bot.text import Language
from walletdesk.bot.understanding import Brain

TODAY = date(2026, 11, 20)
HELD_OUT = yaml.safe_load((Path(__file__).parent / "heldout.yaml").read_text(encoding="utf-8"))


def test_the_shipped_catalogue_classifies_held_out_questions_in_both_languages(
    brain: Brain,
) -> None:
    for locale in ("zh-CN", "en"):
        wrong = []
        total = 0
        for intent, by_locale in HELD_OUT.items():
            for question in by_locale[locale]:
                total += 1
                understood = brain.understand(question, locale, today=TODAY)
                got = "out_of_scope" if understood.out_of_scope else understood.intent
                if got != intent:
                    wrong.append((question, intent, got))
        assert 1 - len(wrong) / total >= 0.85, (locale, wrong)


@pytest.mark.parametrize("text", ["转人工", "人工客服", "human", "Talk to a human!", "ＨＵＭＡＮ"])
def test_a_request_for_a_person_is_a_command_with_full_confidence(brain: Brain, text: str) -> None:
    understood = brain.understand(text, "zh-CN", today=TODAY)
    assert understood.intent == "talk_to_human"
    assert understood.confidence == 1.0 and understood.by_command


@pytest.mark.parametrize(
    "text", ["我要转人工客服", "麻烦帮我转一下人工", "can I speak to a real human please"]
)
def test_the_model_itself_hands_a_request_for_a_person_to_talk_to_human_confidently(
    brain: Brain, text: str
) -> None:
    understood = brain.understand(text, "en", today=TODAY)
    assert not understood.by_command
    assert understood.intent == "talk_to_human" and understood.confidence >= 0.8


@pytest.mark.parametrize(
    "text",
    ["今天天气怎么样", "recommend a pizza", "帮我写一首关于月亮的诗", "who is the best footballer"],
)
def test_an_unrelated_question_is_out_of_scope(brain: Brain, text: str) -> None:
    understood = brain.understand(text, "zh-CN", today=TODAY)
    assert understood.out_of_scope and understood.intent is None
    assert not understood.close_call


def test_a_scam_story_is_recognised_with_its_money_and_language(brain: Brain) -> None:
    understood = brain.understand(
        "有个自称客服的人让我开屏幕共享，把5000元转到安全账户", "en", today=TODAY
    )
    assert understood.intent == "scam_story"
    assert understood.language is Language.ZH and understood.reply_locale == "zh-CN"
    assert [(a.amount, a.currency) for a in understood.entities.amounts] == [(Decimal(5000), "CNY")]


def test_a_mixed_message_is_understood_and_answered_in_its_dominant_language(
    brain: Brain,
) -> None:
    understood = brain.understand("我昨天top up了¥88，还没到账", "en", today=TODAY)
    assert understood.intent in {"top_up_pending", "top_up_failed"}
    assert understood.reply_locale == "zh-CN"
    assert [d.on for d in understood.entities.dates] == [date(2026, 11, 19)]


def test_confidences_are_probabilities_best_first(brain: Brain) -> None:
    understood = brain.understand("my card ending 1234 was stolen", "en", today=TODAY)
    assert understood.intent == "card_lost_or_stolen" and not understood.close_call
    confidences = [r.confidence for r in understood.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences) and sum(confidences) <= 1.0 + 1e-6
    assert understood.entities.card_last4 == ("1234",)


def test_a_close_call_between_two_intents_is_flagged(brain: Brain) -> None:
    """The dialogue asks "which one?" when the two best intents are close."""
    for question in (
        "钱没到账",
        "账户用不了了",
        "money hasn't arrived",
        "卡有问题",
        "my account is weird",
    ):
        understood = brain.understand(question, "zh-CN", today=TODAY)
        if understood.close_call:
            first, second = understood.alternatives[:2]
            assert first.confidence - second.confidence < 0.15
            assert first.confidence + second.confidence >= 0.6
            return
    pytest.fail("none of the one-word questions was a close call")


FAQ = [
    FaqEntry("forgot-password", "zh-CN", "忘记登录密码怎么办？"),
    FaqEntry("forgot-password", "en", "I forgot my password. What can I do?"),
    FaqEntry("withdrawal-pending", "zh-CN", "提现多久到账？"),
    FaqEntry("withdrawal-pending", "en", "How long does a withdrawal take?"),
    FaqEntry("fees", "zh-CN", "提现和转账收手续费吗？"),
    FaqEntry("fees", "en", "Are there fees for withdrawals and transfers?"),
    FaqEntry("freeze-unfreeze", "zh-CN", "如何冻结和解冻钱包？"),
]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("我的登录密码忘了怎么办", "forgot-password"),
        ("提现要多长时间才能到账", "withdrawal-pending"),
        ("forgot my password, what now", "forgot-password"),
        ("how long do withdrawals take", "withdrawal-pending"),
        ("提现收费吗", "fees"),
    ],
)
def test_faq_matching_finds_the_article_question_asked_another_way(
    brain: Brain, text: str, key: str
) -> None:
    understood = brain.understand(text, "zh-CN", today=TODAY, faq=brain.faq_index(FAQ))
    assert understood.faq_hits and understood.faq_hits[0].key == key
    assert len({hit.key for hit in understood.faq_hits}) == len(understood.faq_hits)


def test_faq_matching_finds_nothing_for_an_unrelated_question(brain: Brain) -> None:
    assert brain.faq_index(FAQ).match("今天天气怎么样") == []
    assert brain.faq_index(FAQ).match("recommend a pizza") == []
    assert brain.faq_index([]).match("提现多久到账") == []


def test_faq_matching_can_keep_to_one_language(brain: Brain) -> None:
    hits = brain.faq_index(FAQ).match("提现多久能到", locale="en")
    assert [(hit.key, hit.locale) for hit in hits][:1] == [("withdrawal-pending", "en")]
