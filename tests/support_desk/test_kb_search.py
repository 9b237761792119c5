"""Help-centre search over the shipped starter articles, in Chinese (jieba) and English
(stemmed), through the public API without signing in; internal guides only for staff."""

import pytest
from fastapi.testclient import TestClient

from tests.support_desk.helpers import staff_member
from walletdesk.runtime import Runtime
from walletdesk.support.kb import Audience, article_for_insertion, article_link
from walletdesk.support.kb_search import search_articles, stem, tokens
from walletdesk.support.kb_seed import seed_kb, shipped_articles

TOPICS = {
    "forgot-password",
    "stolen-account",
    "topup-failed",
    "withdrawal-pending",
    "transfer-limits",
    "bank-cards",
    "international-payments-fx",
    "fees",
    "freeze-unfreeze",
    "fake-customer-service",
    "complaints-process",
    "security-tips",
}


def search(client: TestClient, q: str, locale: str) -> list[dict]:
    response = client.get("/api/v1/help/articles", params={"q": q, "locale": locale})
    assert response.status_code == 200, response.text
    found: list[dict] = response.json()
    return found


def test_the_starter_set_covers_every_seeded_topic_in_both_languages() -> None:
    shipped = {a.slug: a.content for a in shipped_articles()}
    assert TOPICS <= set(shipped)
    for slug in TOPICS:
        content = shipped[slug]
        assert content.audience == Audience.PUBLIC, slug
        assert content.title_zh and content.title_en and len(content.body_zh) > 300, slug
        assert len(content.body_en) > 600, slug


def test_seeding_twice_changes_nothing(rt: Runtime) -> None:
    first = seed_kb(rt)
    assert all(line.startswith("created") for line in first) and len(first) >= len(TOPICS)
    assert all(line.startswith("exists") for line in seed_kb(rt))


@pytest.mark.parametrize(
    ("label", "query", "locale", "slug"),
    [
        ("zh forgot password", "忘记密码", "zh-CN", "forgot-password"),
        ("en forgot password", "forgot password", "en", "forgot-password"),
        ("zh withdrawal not arrived", "提现一直没到账", "zh-CN", "withdrawal-pending"),
        ("zh fake agent asks code", "有人冒充客服要验证码", "zh-CN", "fake-customer-service"),
        ("en daily limit", "daily limit exceeded", "en", "transfer-limits"),
        ("zh unfreeze", "怎么解冻钱包", "zh-CN", "freeze-unfreeze"),
        ("en exchange rate", "exchange rate USD", "en", "international-payments-fx"),
        ("zh withdrawal fee", "提现手续费", "zh-CN", "fees"),
        ("en top-up failed", "top-up failed", "en", "topup-failed"),
        ("zh stolen account", "账户被盗了", "zh-CN", "stolen-account"),
        ("en hacked", "my account was hacked", "en", "stolen-account"),
        ("zh complain", "怎么投诉", "zh-CN", "complaints-process"),
        ("en public wifi", "is public wifi safe", "en", "security-tips"),
        ("en credit card", "bind a credit card", "en", "bank-cards"),
    ],
)
def test_search_puts_the_right_article_first(
    client: TestClient, rt: Runtime, label: str, query: str, locale: str, slug: str
) -> None:
    seed_kb(rt)
    hits = search(client, query, locale)
    assert hits and hits[0]["slug"] == slug, (label, [h["slug"] for h in hits])


def test_a_chinese_query_finds_the_forgot_password_article_with_a_chinese_title_and_link(
    client: TestClient, rt: Runtime
) -> None:
    seed_kb(rt)
    top = search(client, "忘记密码", "zh-CN")[0]
    assert top["title"] == "忘记密码怎么办"
    assert top["url"] == f"/api/v1/help/articles/{top['id']}?locale=zh-CN"
    article = client.get(top["url"]).json()
    assert article["slug"] == "forgot-password" and article["category_name"] == "账户与登录"
    assert "5 分钟" in article["body_markdown"]
    # Typed in Chinese with the English interface: found, and shown in English.
    english = search(client, "忘记密码", "en")[0]
    assert (english["slug"], english["title"]) == ("forgot-password", "I forgot my password")


def test_internal_guides_are_found_by_agents_and_invisible_to_the_public(
    client: TestClient, rt: Runtime
) -> None:
    seed_kb(rt)
    query = "投诉处理 升级 复核"
    assert "agent-complaint-handling" not in [h["slug"] for h in search(client, query, "zh-CN")]
    hidden = client.get("/api/v1/help/articles/agent-complaint-handling")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "article_not_found"
    listed = client.get("/api/v1/help/articles", params={"category": "agent_guides"}).json()
    assert listed == []
    wang = staff_member(client, rt, "Wang", "agent")
    staff_hits = client.get(
        "/api/v1/staff/kb/search", headers=wang.headers, params={"q": query, "locale": "zh-CN"}
    ).json()
    assert staff_hits[0]["slug"] == "agent-complaint-handling"
    guide = client.get("/api/v1/staff/kb/published/agent-complaint-handling", headers=wang.headers)
    assert guide.status_code == 200 and guide.json()["audience"] == "internal"


def test_an_agent_inserts_public_articles_only(rt: Runtime) -> None:
    seed_kb(rt)
    public = search_articles(rt, "forgot password", "en")[0]
    insertion = article_for_insertion(rt, public.article_id, locale="en")
    assert insertion is not None and insertion.title == "I forgot my password"
    assert insertion.url == article_link(public.article_id, "en")
    guide = search_articles(rt, "complaint escalation appeal", "en", audience="internal")[0]
    assert guide.slug == "agent-complaint-handling"
    assert article_for_insertion(rt, guide.article_id, locale="en") is None


def test_the_public_list_and_categories_need_no_sign_in(client: TestClient, rt: Runtime) -> None:
    seed_kb(rt)
    categories = client.get("/api/v1/help/categories", params={"locale": "en"}).json()
    assert {"key": "security", "name": "Security and scams"} in categories
    assert "agent_guides" not in [c["key"] for c in categories]
    security = client.get("/api/v1/help/articles", params={"category": "security"}).json()
    assert {a["slug"] for a in security} == {
        "fake-customer-service",
        "security-tips",
        "stolen-account",
    }


@pytest.mark.parametrize(
    ("label", "text", "expected"),
    [
        ("zh words and the long word", "忘记密码", ["忘记", "密码", "忘记密码"]),
        ("zh stop words out", "我的提现怎么还没到账？", ["提现", "没", "到账"]),
        ("en stems and stop words", "I forgot my passwords", ["forget", "password"]),
        (
            "en -ing and -ed",
            "freezing frozen unfrozen topped",
            ["freez", "freez", "unfreez", "top"],
        ),
        ("mixed", "WiFi 安全吗", ["wifi", "安全"]),
    ],
)
def test_tokens(label: str, text: str, expected: list[str]) -> None:
    assert tokens(text) == expected, label


def test_stemming_treats_plural_and_british_spellings_alike() -> None:
    assert stem("withdrawals") == stem("withdrawal") == "withdraw"
    assert stem("recognise") == stem("recognize") == stem("recognising")
