"""Text handling shared by every part of the bot's understanding: normalisation, language
detection by script, and the word and character features (jieba words for Chinese, Snowball
stems for English).

The tokenizer is the bot's own `jieba.Tokenizer`, not the module-level one: other parts of the
product add words to the global dictionary, and a model must see the same words when it is
trained and when it is used.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

import snowballstemmer

if TYPE_CHECKING:
    import jieba

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)
_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# A run of Chinese characters, a Latin word, a number, or one other visible character.
_PIECES = re.compile(
    r"(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<word>[a-z]+(?:'[a-z]+)?)"
    r"|(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<other>[^\s\w])"
)
_DIGIT = re.compile(r"\d")

DOMAIN_WORDS = (
    "转人工 人工客服 忘记密码 找回密码 重置密码 登录密码 支付密码 验证码 二次验证 两步验证 "
    "身份验证器 动态口令 账户被盗 账号被盗 盗号 被锁 锁定 充值 提现 到账 未到账 没到账 绑卡 "
    "解绑 银行卡 储蓄卡 借记卡 信用卡 冻结 解冻 限额 手续费 汇率 换汇 境外 跨境 外币 转账 "
    "收款 客服 假客服 冒充 诈骗 安全账户 屏幕共享 共享屏幕 投诉 建议 退款 扣款 多扣 扣错 "
    "尾号 余额 流水 账单 审核 回访 核实"
).split()


class Language(StrEnum):
    ZH = "zh"
    EN = "en"
    MIXED = "mixed"
    UNKNOWN = "unknown"
    """No Chinese characters and no Latin letters (digits, emoji, punctuation only)."""


ZH_SHARE_FOR_ZH = 0.8
ZH_SHARE_FOR_EN = 0.2
LATIN_WORD_WEIGHT = 2.0
"""One English word carries about as much as two Chinese characters."""


def normalise(text: str) -> str:
    """NFKC (full-width letters, digits and signs become half-width; ￥ becomes ¥), no
    invisible characters, case folded, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    return _SPACES.sub(" ", folded).strip()


@dataclass(frozen=True)
class LanguageGuess:
    language: Language
    zh_share: float
    """Chinese characters / (Chinese characters + 2 × English words): 1.0 all Chinese."""

    def reply_locale(self, fallback: str) -> str:
        """The locale to answer in: the dominant script, else the caller's locale."""
        if self.language is Language.UNKNOWN or self.zh_share == 0.5:
            return fallback
        return "zh-CN" if self.zh_share > 0.5 else "en"


def detect_language(text: str) -> LanguageGuess:
    """zh, en or mixed by the share of Chinese script among the letters of `text`."""
    normal = normalise(text)
    han = len(_HAN.findall(normal))
    words = len(_LATIN_WORD.findall(normal))
    if han == 0 and words == 0:
        return LanguageGuess(Language.UNKNOWN, 0.0)
    share = han / (han + LATIN_WORD_WEIGHT * words)
    if share >= ZH_SHARE_FOR_ZH:
        return LanguageGuess(Language.ZH, share)
    if share <= ZH_SHARE_FOR_EN:
        return LanguageGuess(Language.EN, share)
    return LanguageGuess(Language.MIXED, share)


_tokenizer_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _jieba() -> jieba.Tokenizer:
    """The bot's own jieba tokenizer, its dictionary built on first use (about a second)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                logging.getLogger("jieba").setLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in DOMAIN_WORDS:
                    tokenizer.add_word(word)
                _tokenizer = tokenizer
    return _tokenizer


def segment(han_run: str) -> list[str]:
    """Chinese words of a run of Chinese characters."""
    return [word for word in _jieba().lcut(han_run) if word.strip()]


_stemmer_lock = threading.Lock()
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    with _stemmer_lock:  # a Snowball stemmer object keeps state between calls
        result: str = _stemmer.stemWord(word)
    return result


def _number_token(number: str) -> str:
    digits = len(_DIGIT.findall(number))
    return f"<n{min(digits, 5)}>"


def words(text: str) -> list[str]:
    """Word tokens of `text`: jieba words, English stems, numbers as their length
    (<n4> for four digits, so "尾号1234" and "尾号5678" look alike), punctuation kept."""
    out: list[str] = []
    for match in _PIECES.finditer(normalise(text)):
        kind = match.lastgroup
        piece = match.group()
        if kind == "han":
            out.extend(segment(piece))
        elif kind == "word":
            out.append(stem(piece.replace("'", "")))
        elif kind == "num":
            out.append(_number_token(piece))
        elif piece in "?!？！":
            out.append("?" if piece in "?？" else "!")
    return out


class WordAnalyzer:
    """Words and word pairs, as a scikit-learn analyzer (a class, so models pickle)."""

    def __call__(self, text: str) -> list[str]:
        tokens = words(text)
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def char_text(text: str) -> str:
    """The text the character n-grams are taken from: normalised, every digit a 0."""
    return _DIGIT.sub("0", normalise(text))
