import numpy as np
import pytest

from walletdesk.bot.intents import DEFAULT_THRESHOLD, IntentModel, choose_threshold

# Eight validation questions: four known ones answered with falling confidence (the last one
# wrongly), and four the model was never taught, answered with lower confidence.
TOP = np.array([0.9, 0.8, 0.6, 0.35, 0.7, 0.4, 0.3, 0.2])
PREDICTED = np.array(["a", "b", "a", "a", "a", "b", "a", "b"])
EXPECTED: list[str | None] = ["a", "b", "a", "b", None, None, None, None]


@pytest.mark.parametrize(
    ("label", "recall_target", "max_drop", "threshold"),
    [
        ("the lowest threshold reaching the recall target", 0.5, 0.0, 0.31),
        ("a higher target costs a right answer when the budget allows", 1.0, 0.25, 0.71),
        ("an unreachable target takes the most recall within the budget", 1.0, 0.1, 0.41),
    ],
)
def test_the_threshold_trades_known_questions_for_rejected_unknown_ones(
    label: str, recall_target: float, max_drop: float, threshold: float
) -> None:
    chosen = choose_threshold(
        top=TOP,
        predicted=PREDICTED,
        expected=EXPECTED,
        rejection_label=None,
        recall_target=recall_target,
        max_drop=max_drop,
    )
    assert chosen == threshold, label


def test_answers_landing_on_the_rejection_intent_count_as_rejected() -> None:
    chosen = choose_threshold(
        top=np.array([0.9, 0.9, 0.9]),
        predicted=np.array(["a", "out_of_scope", "out_of_scope"]),
        expected=["a", None, None],
        rejection_label="out_of_scope",
    )
    assert chosen == 0.0


def test_a_tiny_training_set_gets_the_default_threshold_and_still_classifies() -> None:
    model = IntentModel.fit(
        ["hello", "hi there", "my card is lost", "lost my card"],
        ["greeting", "greeting", "lost_card", "lost_card"],
    )
    assert model.threshold == DEFAULT_THRESHOLD
    assert model.classify("I lost my card").ranked[0].intent == "lost_card"


def test_training_needs_two_intents() -> None:
    with pytest.raises(ValueError, match="two intents"):
        IntentModel.fit(["hello", "hi"], ["greeting", "greeting"])
