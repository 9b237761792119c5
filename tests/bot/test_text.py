import pytest

from walletdesk.bot.features import char_ngrams, char_vectorizer, char_wb_ngrams
from walletdesk.bot.text import Language, detect_language, normalise, words


@pytest.mark.parametrize(
    ("label", "text", "language"),
    [
        ("plain Chinese", "我的充值失败了怎么办", Language.ZH),
        (
            "Chinese with one English word",
            "我的银行卡充值失败了，帮我看看是不是bank的问题",
            Language.ZH,
        ),
        ("plain English", "my top up failed, what now?", Language.EN),
        ("English with one Chinese word", "my 充值 failed again and again today", Language.EN),
        ("half and half", "我的app登录不了，account locked", Language.MIXED),
        ("digits and emoji only", "1234 👍", Language.UNKNOWN),
        ("full-width Latin letters count as English", "ＨＥＬＬＯ ｔｈｅｒｅ", Language.EN),
    ],
)
def test_language_is_told_by_the_share_of_chinese_script(
    label: str, text: str, language: Language
) -> None:
    assert detect_language(text).language is language, label


def test_the_reply_follows_the_dominant_script_and_falls_back_to_the_callers_locale() -> None:
    assert detect_language("我的app登录不了了，怎么办").reply_locale("en") == "zh-CN"
    assert detect_language("my app 登录 fails").reply_locale("zh-CN") == "en"
    assert detect_language("👍").reply_locale("en") == "en"


def test_normalisation_folds_width_and_case_and_drops_invisible_characters() -> None:
    assert normalise("\ufeffＴｏｐ　ＵＰ\u200b  ￥８８") == "top up ¥88"


def test_chinese_is_segmented_into_words_and_english_is_stemmed() -> None:
    tokens = words("充值失败 cards charged 尾号1234")
    assert "充值" in tokens and "失败" in tokens
    assert "card" in tokens and "charg" in tokens
    assert "<n4>" in tokens  # any four digits look alike


@pytest.mark.parametrize(
    "text", ["我的银行卡尾号1234充值失败了 top up", "ＦＵＬＬ　width ￥88", "a", "转人工"]
)
def test_the_hand_written_char_ngrams_are_scikit_learns(text: str) -> None:
    for kind, split in (("char_wb", char_wb_ngrams), ("char", char_ngrams)):
        vectorizer = char_vectorizer(kind, (1, 4), min_df=1)  # type: ignore[arg-type]
        analyse = vectorizer.build_analyzer()
        assert split(vectorizer.preprocessor(text), (1, 4)) == analyse(text), kind
