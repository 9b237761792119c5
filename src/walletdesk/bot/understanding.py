"""What the bot understood of one customer message: the `Brain` and `Understanding`.

`Brain.understand(text, locale, today=...)` is the one call the dialogue makes. It detects the
language (and so the language to answer in), classifies the intent with a calibrated
confidence and alternatives, says whether the message is out of scope or a close call between
two intents, pulls out entities, and matches it against the knowledge-base questions it is
given. Exact commands ("转人工", "human") skip the model and come back with confidence 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from walletdesk.bot.catalogue import OUT_OF_SCOPE, Catalogue
from walletdesk.bot.entities import Entities, extract_entities
from walletdesk.bot.faq import FaqEntry, FaqHit, FaqIndex
from walletdesk.bot.intents import FIT_STAGES as INTENT_STAGES
from walletdesk.bot.intents import IntentModel, Progress, Ranked, no_progress
from walletdesk.bot.pairs import PairScorer, catalogue_pairs, fit_pairs
from walletdesk.bot.text import Language, detect_language, normalise
from walletdesk.i18n import normalise_locale

CLOSE_CALL_MARGIN = 0.15
CLOSE_CALL_MASS = 0.6
"""Two wallet intents whose confidences are within `CLOSE_CALL_MARGIN` of each other and
together reach `CLOSE_CALL_MASS` are a close call: the dialogue asks which one the customer
means (also when neither alone clears the out-of-scope threshold)."""
TRAIN_STAGES = (*INTENT_STAGES, "question pairs")


@dataclass(frozen=True)
class Understanding:
    text: str
    language: Language
    reply_locale: str
    """zh-CN or en: the message's dominant script, else the caller's locale."""
    intent: str | None
    """None when out of scope."""
    confidence: float
    alternatives: tuple[Ranked, ...]
    """The best intents, best first (the first is the classifier's top choice)."""
    entities: Entities
    faq_hits: tuple[FaqHit, ...]
    out_of_scope: bool
    close_call: bool
    by_command: bool = False


class Brain:
    """The trained understanding: the intent model and the question-pair model, plus the
    catalogue digest they were trained from."""

    def __init__(
        self,
        intents: IntentModel,
        pairs: PairScorer,
        commands: dict[str, str],
        catalogue_digest: str,
    ) -> None:
        self.intents = intents
        self.pairs = pairs
        self.commands = commands
        self.catalogue_digest = catalogue_digest

    @classmethod
    def train(
        cls,
        catalogue: Catalogue,
        *,
        embeddings: bool | None = None,
        progress: Progress = no_progress,
    ) -> Brain:
        """`embeddings`: use the optional sentence encoder; None means whenever it is
        installed (see `IntentModel.fit`)."""
        examples = list(catalogue.examples())
        intents = IntentModel.fit(
            [text for text, _, _ in examples],
            [intent for _, intent, _ in examples],
            rejection_label=OUT_OF_SCOPE if OUT_OF_SCOPE in catalogue.names else None,
            embeddings=embeddings,
            progress=progress,
        )
        progress("question pairs")
        pairs = fit_pairs(catalogue_pairs(examples))
        return cls(intents, pairs, catalogue.commands(), catalogue.digest())

    def faq_index(self, entries: Iterable[FaqEntry]) -> FaqIndex:
        return FaqIndex(entries, self.pairs, self.intents)

    def understand(
        self,
        text: str,
        locale: str,
        *,
        today: date,
        faq: FaqIndex | None = None,
    ) -> Understanding:
        guess = detect_language(text)
        reply_locale = guess.reply_locale(normalise_locale(locale))
        entities = extract_entities(text, today)
        hits = tuple(faq.match(text)) if faq is not None else ()
        command = self.commands.get(normalise(text).strip(" .!?。！？"))
        if command is not None:
            return Understanding(
                text=text,
                language=guess.language,
                reply_locale=reply_locale,
                intent=command,
                confidence=1.0,
                alternatives=(Ranked(command, 1.0),),
                entities=entities,
                faq_hits=hits,
                out_of_scope=False,
                close_call=False,
                by_command=True,
            )
        result = self.intents.classify(text)
        ranked = result.ranked
        close = (
            len(ranked) > 1
            and OUT_OF_SCOPE not in (ranked[0].intent, ranked[1].intent)
            and ranked[0].confidence - ranked[1].confidence < CLOSE_CALL_MARGIN
            and ranked[0].confidence + ranked[1].confidence >= CLOSE_CALL_MASS
        )
        return Understanding(
            text=text,
            language=guess.language,
            reply_locale=reply_locale,
            intent=result.intent,
            confidence=result.confidence,
            alternatives=ranked,
            entities=entities,
            faq_hits=hits,
            out_of_scope=result.out_of_scope,
            close_call=close,
        )
