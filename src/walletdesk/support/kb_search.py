"""Searching the published knowledge base, in Chinese and in English.

Chinese has no spaces, so text is cut into words with jieba (search mode, which also yields
the shorter words inside long ones: 忘记密码 → 忘记, 密码); English is lower-cased, split on
non-letters and stemmed with a few suffix rules (passwords → password, freezing → freez).
Both lose their stop words. Each published article is indexed once per language (title
three times, search keywords twice, text once) and ranked with Okapi BM25.

The index lives in process memory and is rebuilt when what is published changes: every
search compares a digest of the published article versions with the one the index was built
from (one small query), so a publish in one server process reaches searches in all of them.
That is plenty for hundreds of articles; beyond that, move to PostgreSQL full text.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from walletdesk.i18n import normalise_locale
from walletdesk.support.kb import Audience, Published, article_link

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

LOCALES = ("zh-CN", "en")
K1 = 1.2
B = 0.75
FIELD_WEIGHTS = {"title": 3, "keywords": 2, "body": 1}
SNIPPET = 160

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
_WORDS = re.compile(r"[a-z0-9]+")
_MARKDOWN = re.compile(r"(!?\[([^\]]*)\]\([^)]*\))|[#*_>`|]")

STOP_EN = frozenset(
    "a an and are as at be by can do does for from how i if in is it its me my of on or our "
    "so than that the their them then there this to was we what when where which who why will "
    "with you your yours".split()
)
STOP_ZH = frozenset(
    "的 了 吗 呢 吧 啊 呀 是 在 我 你 您 他 她 它 我们 你们 怎么 怎么办 怎样 如何 什么 为什么 "
    "请问 一下 可以 能 要 想 和 与 及 或 就 都 也 还 这 那 这个 那个 一个 会 把 给 让 吗".split()
)
IRREGULAR = {
    "forgot": "forget",
    "forgotten": "forget",
    "stolen": "steal",
    "stole": "steal",
    "frozen": "freez",
    "froze": "freez",
    "unfrozen": "unfreez",
    "paid": "pay",
    "sent": "send",
    "withdrawal": "withdraw",
    "topup": "top",
}
DOMAIN_WORDS = (
    "忘记密码 找回密码 重置密码 验证码 二次验证 身份验证器 恢复码 实名认证 账户被盗 盗号 "
    "充值 提现 到账 绑卡 解绑 银行卡 储蓄卡 借记卡 信用卡 冻结 解冻 限额 手续费 免费次数 "
    "换汇 汇率 境外 跨境 外币 转账 收款 客服 假客服 冒充 诈骗 安全账户 钓鱼 公共WiFi "
    "投诉 申诉 复核 建议 退款"
).split()


@cache
def _jieba() -> ModuleType:
    """jieba, loaded (and its dictionary built) on the first search, not at import."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in DOMAIN_WORDS:
        jieba.add_word(word.lower())
    module: ModuleType = jieba
    return module


def stem(word: str) -> str:
    """A small English stemmer: plural and -ing/-ed endings, a final e, -ize as -ise."""
    word = IRREGULAR.get(word, word)
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    word = IRREGULAR.get(word, word)
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if word.endswith("iz"):
        word = word[:-2] + "is"
    return word


def tokens(text: str) -> list[str]:
    """The search terms of `text` (Chinese words, stemmed English words), stop words out."""
    normal = unicodedata.normalize("NFKC", text).lower()
    pieces: Iterable[str] = (
        _jieba().lcut_for_search(normal) if _CJK.search(normal) else _WORDS.findall(normal)
    )
    found = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if _ASCII_WORD.match(piece):
            if piece not in STOP_EN:
                found.append(stem(piece))
        elif _CJK.search(piece):
            if piece not in STOP_ZH:
                found.append(piece)
    return found


def plain(markdown: str) -> str:
    """Markdown as running text (links keep their words)."""
    text = _MARKDOWN.sub(lambda m: m.group(2) or "", markdown)
    return " ".join(text.split())


@dataclass(frozen=True)
class Hit:
    article_id: str
    slug: str
    locale: str
    title: str
    snippet: str
    category: str
    audience: str
    score: float
    url: str


@dataclass
class _Doc:
    published: Published
    locale: str
    terms: Counter[str]
    length: int
    text: str


class SearchIndex:
    """BM25 over the published articles, one document per article and language."""

    def __init__(self, articles: list[Published]) -> None:
        self.docs: dict[str, list[_Doc]] = {locale: [] for locale in LOCALES}
        for published in articles:
            version = published.version
            for locale in LOCALES:
                terms: Counter[str] = Counter()
                for name, text in (
                    ("title", version.title(locale)),
                    ("keywords", version.keywords(locale)),
                    ("body", version.body(locale)),
                ):
                    for term in tokens(text):
                        terms[term] += FIELD_WEIGHTS[name]
                self.docs[locale].append(
                    _Doc(published, locale, terms, sum(terms.values()), plain(version.body(locale)))
                )
        self.frequency = {
            locale: Counter(term for doc in docs for term in doc.terms)
            for locale, docs in self.docs.items()
        }
        self.average = {
            locale: (sum(d.length for d in docs) / len(docs)) if docs else 1.0
            for locale, docs in self.docs.items()
        }

    def rank(
        self, terms: list[str], locale: str, *, audience: Audience, category: str | None
    ) -> list[tuple[_Doc, float]]:
        docs = self.docs[locale]
        count = len(docs)
        scored = []
        for doc in docs:
            version = doc.published.version
            if audience is Audience.PUBLIC and version.audience != Audience.PUBLIC:
                continue
            if category and version.category != category:
                continue
            score = 0.0
            for term in set(terms):
                tf = doc.terms.get(term, 0)
                if not tf:
                    continue
                df = self.frequency[locale][term]
                idf = math.log(1 + (count - df + 0.5) / (df + 0.5))
                norm = 1 - B + B * doc.length / self.average[locale]
                score += idf * tf * (K1 + 1) / (tf + K1 * norm)
            if score > 0:
                scored.append((doc, score))
        scored.sort(key=lambda pair: (-pair[1], pair[0].published.article.slug))
        return scored


_lock = threading.Lock()
_indexes: dict[str, tuple[str, SearchIndex]] = {}


def current_index(rt: Runtime) -> SearchIndex:
    """The index of what is published now in this runtime's database (rebuilt on change)."""
    key = rt.settings.resolved_database_url
    with rt.db.uow(read_only=True) as uow:
        stamp = uow.complaints_kb.kb.published_stamp()
        with _lock:
            cached = _indexes.get(key)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        articles = [Published(a, v) for a, v in uow.complaints_kb.kb.published()]
    index = SearchIndex(articles)
    with _lock:
        _indexes[key] = (stamp, index)
    return index


def _snippet(doc: _Doc, terms: list[str]) -> str:
    lowered = doc.text.lower()
    positions = [lowered.find(term) for term in terms if term in lowered]
    start = max(0, min(positions) - 30) if positions else 0
    piece = doc.text[start : start + SNIPPET]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(doc.text) else "")


def search_articles(
    rt: Runtime,
    query: str,
    locale: str,
    *,
    audience: Audience | str = Audience.PUBLIC,
    category: str | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Published articles matching `query`, best first, in `locale`. The public audience sees
    public articles; the internal one (agents) sees internal ones too. A query in the other
    language (Chinese typed with the English interface) is answered from that language's text,
    with the titles still in `locale`."""
    wanted = normalise_locale(locale)
    reader = Audience(audience)
    terms = tokens(query[:200])
    if not terms:
        return []
    index = current_index(rt)
    ranked = index.rank(terms, wanted, audience=reader, category=category)
    if not ranked:
        other = next(loc for loc in LOCALES if loc != wanted)
        ranked = index.rank(terms, other, audience=reader, category=category)
    hits = []
    for doc, score in ranked[: max(1, min(limit, 50))]:
        article, version = doc.published.article, doc.published.version
        shown = next(d for d in index.docs[wanted] if d.published.article.id == article.id)
        hits.append(
            Hit(
                article_id=article.id,
                slug=article.slug,
                locale=wanted,
                title=version.title(wanted),
                snippet=_snippet(shown, terms),
                category=version.category,
                audience=version.audience,
                score=round(score, 4),
                url=article_link(article.id, wanted),
            )
        )
    return hits
