"""The optional sentence encoder (`walletdesk[embeddings]`): what the base install does about a
model that needs it, and, where the extra is installed, how a model trained with it answers."""

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from walletdesk.bot import embeddings
from walletdesk.bot.artefact import MANIFEST, load_brain, save_brain
from walletdesk.bot.catalogue import Catalogue
from walletdesk.bot.intents import IntentModel
from walletdesk.bot.understanding import Brain
from walletdesk.cli import app

TODAY = date(2026, 11, 20)
needs_extra = pytest.mark.skipif(
    embeddings.installed_name() is None, reason="the embeddings extra is not installed"
)

# Written for this test: none of these is a catalogue example. Meaning, not shared words,
# should carry most of them, and the English and Chinese of one question should agree. A
# question that honestly fits two intents lists both.
PARAPHRASES: list[tuple[str, tuple[str, ...]]] = [
    ("the plastic you mailed me still hasn't turned up", ("card_arrival",)),
    ("寄给我的那张卡到现在还没收到", ("card_arrival",)),
    ("someone nicked my bank card on the bus", ("card_lost_or_stolen",)),
    ("我的银行卡在地铁上被偷了", ("card_lost_or_stolen",)),
    ("I can't remember my login password", ("forgot_password",)),
    ("登录密码想不起来了", ("forgot_password",)),
    (
        "I put money in from my bank but the balance did not go up",
        ("top_up_failed", "top_up_pending"),
    ),
    ("my friend says the money I sent never reached him", ("transfer_not_received",)),
    ("朋友说我转给他的钱一直没到账", ("transfer_not_received",)),
    ("what do you charge for sending money abroad", ("fees", "international_payment")),
]
UNRELATED = [
    "who won the football match last night",
    "give me a recipe for banana bread",
    "明天北京会下雨吗",
    "推荐几部好看的电影",
    "how tall is mount everest",
    "写一首关于春天的诗",
]


def test_a_saved_model_that_needs_a_missing_encoder_is_not_loaded(
    brain: Brain, catalogue: Catalogue, tmp_path: Path
) -> None:
    save_brain(brain, tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["embeddings"] == brain.intents.embedder
    manifest["embeddings"] = "an-encoder-nobody-installed/1.0"
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    assert load_brain(tmp_path, catalogue) is None


@pytest.mark.skipif(embeddings.available(), reason="the embeddings extra is installed")
def test_asking_for_embeddings_without_the_extra_says_how_to_install_it() -> None:
    with pytest.raises(embeddings.EmbeddingsMissing, match=r"walletdesk\[embeddings\]"):
        IntentModel.fit(
            ["hello", "hi there", "my card is lost", "lost my card"],
            ["greeting", "greeting", "lost_card", "lost_card"],
            embeddings=True,
        )


@pytest.mark.skipif(embeddings.available(), reason="the embeddings extra is installed")
def test_the_eval_command_refuses_embeddings_it_does_not_have(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("text,category\nhello,greeting\nlost my card,lost_card\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["bot", "eval", "--train", str(data), "--test", str(data), "--embeddings"]
    )
    assert result.exit_code == 2
    assert "walletdesk[embeddings]" in result.output


@pytest.fixture(scope="module")
def embedded_brain(catalogue: Catalogue) -> Brain:
    return Brain.train(catalogue, embeddings=True)


@needs_extra
def test_a_model_trained_with_the_encoder_says_so(embedded_brain: Brain) -> None:
    assert embedded_brain.intents.embedder == embeddings.NAME


@needs_extra
def test_the_encoder_model_understands_paraphrases_in_both_languages(
    embedded_brain: Brain,
) -> None:
    wrong = [
        (text, intents, understood.intent)
        for text, intents in PARAPHRASES
        if (understood := embedded_brain.understand(text, "en", today=TODAY)).intent not in intents
    ]
    assert len(wrong) <= 2, wrong


@needs_extra
def test_the_encoder_model_turns_away_questions_about_other_things(
    embedded_brain: Brain,
) -> None:
    answered = [
        (text, understood.intent)
        for text in UNRELATED
        if not (understood := embedded_brain.understand(text, "en", today=TODAY)).out_of_scope
    ]
    assert len(answered) <= 1, answered


@needs_extra
def test_the_encoder_model_saves_and_loads_with_its_encoder_recorded(
    embedded_brain: Brain, catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_brain(embedded_brain, tmp_path)
    assert json.loads((tmp_path / MANIFEST).read_text())["embeddings"] == embeddings.NAME
    loaded = load_brain(tmp_path, catalogue)
    assert loaded is not None
    text = "寄给我的那张卡到现在还没收到"
    assert loaded.understand(text, "zh-CN", today=TODAY) == embedded_brain.understand(
        text, "zh-CN", today=TODAY
    )
    # Where the extra is missing, the same files are refused rather than failing on a question.
    monkeypatch.setattr(embeddings, "installed_name", lambda: None)
    assert load_brain(tmp_path, catalogue) is None
