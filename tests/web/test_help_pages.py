"""The help centre's public pages: categories, search in Chinese and English, articles with
"was this helpful?", "Is this really walletdesk?", the official channels and the security
tips; none needs a sign-in, and no page shows a message key instead of its translation.

The knowledge base is the shipped one (`seed_kb`), read through the same services as the API.
"""

from __future__ import annotations

import html
import re
from importlib import resources

import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.test_route_access import _route_rules
from tests.web.test_wallet_pages import submit
from walletdesk.audit.services import Actor
from walletdesk.i18n import translate
from walletdesk.runtime import Runtime
from walletdesk.support import kb, kb_reading
from walletdesk.support.complaints_model import CATEGORY_NAMES, STEP_NAMES
from walletdesk.support.kb_seed import seed_kb
from walletdesk.web.help_safety_pages import KIND_NAMES
from walletdesk.web.help_suggestion_pages import TOPIC_NAMES

PUBLIC_PAGES = (
    "/help",
    "/help/search?q=提现",
    "/help/search?q=zzzz",
    "/help/search",
    "/help/categories/security",
    "/help/articles/topup-failed",
    "/help/verify",
    "/help/official-channels",
    "/help/security",
)


@pytest.fixture
def seeded(rt: Runtime) -> Runtime:
    seed_kb(rt)
    return rt


def visible_text(page: str) -> str:
    """What a reader sees in <main>: tags removed, entities decoded."""
    main = page[page.index("<main") : page.index("</main>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


# The help centre home and categories ---------------------------------------------------------


def test_the_help_centre_lists_every_public_topic_with_its_articles(
    client: TestClient, seeded: Runtime
) -> None:
    home = client.get("/help")
    assert home.status_code == 200
    assert "有什么可以帮您？" in home.text
    for category in kb.CATEGORIES:
        shown = f'href="/help/categories/{category.key}"' in home.text
        assert shown is not category.internal, category.key
    assert 'href="/help/articles/topup-failed"' in home.text
    assert "充值失败或一直显示处理中" in home.text
    assert "agent-complaint-handling" not in home.text, "agents' guides stay internal"
    assert 'href="/help/verify"' in home.text and 'href="/help/complaints"' in home.text


def test_a_topic_page_lists_only_its_own_articles(client: TestClient, seeded: Runtime) -> None:
    page = client.get("/help/categories/topup_withdrawal")
    assert page.status_code == 200
    assert "<h1>充值与提现</h1>" in page.text
    assert 'href="/help/articles/topup-failed"' in page.text
    assert 'href="/help/articles/withdrawal-pending"' in page.text
    assert 'href="/help/articles/forgot-password"' not in page.text


@pytest.mark.parametrize(
    ("label", "path"),
    [
        ("agents' guides are internal", "/help/categories/agent_guides"),
        ("unknown topic", "/help/categories/lottery"),
        ("agents' guide", "/help/articles/agent-complaint-handling"),
        ("no such article", "/help/articles/how-to-win-the-lottery"),
    ],
)
def test_internal_and_missing_help_pages_look_the_same(
    client: TestClient, seeded: Runtime, label: str, path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 404, label
    assert "找不到这个帮助主题" in page.text or "未找到该帮助文章" in page.text


# Search --------------------------------------------------------------------------------------


def test_a_chinese_search_puts_the_withdrawal_article_first(
    client: TestClient, seeded: Runtime
) -> None:
    found = client.get("/help/search", params={"q": "提现一直没到账"})
    assert found.status_code == 200
    links = re.findall(r'<h2><a href="/help/articles/([a-z0-9-]+)">', found.text)
    assert links and links[0] == "withdrawal-pending", links
    assert "提现一直没到账" in found.text, "the query stays in the box"
    assert re.search(r"找到 \d+ 篇与“提现一直没到账”相关的文章", found.text)


def test_an_english_search_on_the_english_page_answers_in_english(
    client: TestClient, seeded: Runtime
) -> None:
    found = client.get("/help/search", params={"q": "forgot password", "lang": "en"})
    links = re.findall(r'<h2><a href="/help/articles/([a-z0-9-]+)">', found.text)
    assert links and links[0] == "forgot-password", links
    assert "I forgot my password" in found.text
    assert "忘记密码" not in visible_text(found.text)


def test_a_chinese_query_on_the_english_page_still_finds_the_article(
    client: TestClient, seeded: Runtime
) -> None:
    found = client.get("/help/search", params={"q": "忘记密码", "lang": "en"})
    assert "I forgot my password" in found.text


def test_an_empty_search_says_what_to_type_and_a_fruitless_one_what_to_do_next(
    client: TestClient, seeded: Runtime
) -> None:
    empty = client.get("/help/search", params={"q": "   "})
    assert empty.status_code == 200 and "输入几个关键词" in empty.text
    nothing = client.get("/help/search", params={"q": "zzzzqqq"})
    assert nothing.status_code == 200
    assert "没有找到与“zzzzqqq”相关的文章" in nothing.text
    assert 'href="/help/categories/security"' in nothing.text, "it offers the topics instead"


# Articles and "was this helpful?" -------------------------------------------------------------


def test_an_article_shows_its_markdown_as_html_with_its_topic(
    client: TestClient, seeded: Runtime
) -> None:
    page = client.get("/help/articles/topup-failed")
    assert page.status_code == 200
    assert '<h1 id="article-title">充值失败或一直显示处理中</h1>' in page.text
    assert "<table>" in page.text and "<strong>充值不收手续费</strong>" in page.text
    assert 'href="/help/categories/topup_withdrawal"' in page.text
    assert "这篇文章对您有帮助吗？" in page.text
    assert 'href="/help/articles/withdrawal-pending"' in page.text, "a related article"
    english = client.get("/help/articles/topup-failed?lang=en")
    assert "My top-up failed or is still processing" in english.text
    assert "Was this helpful?" in english.text


def test_html_in_an_article_is_shown_as_text_never_run(client: TestClient, rt: Runtime) -> None:
    content = kb.ArticleContent(
        category="fees",
        audience=kb.Audience.PUBLIC,
        title_zh="手续费<script>",
        title_en="Fees<script>",
        body_zh="正文 <script>alert(1)</script> [点我](javascript:alert(1))",
        body_en="Body <img src=x onerror=alert(1)>",
    )
    created, _ = kb.create_article(rt, Actor.system(), slug="html-test", content=content)
    kb.publish(rt, Actor.system(), created.id)
    page = client.get("/help/articles/html-test")
    assert page.status_code == 200
    assert "<script>" not in page.text and 'href="javascript:' not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_feedback_comment_comes_before_the_buttons_in_keyboard_order(
    client: TestClient, seeded: Runtime
) -> None:
    page = client.get("/help/articles/fees").text
    form = page[page.index('id="feedback"') :]
    assert form.index('name="comment"') < form.index('name="helpful" value="yes"')
    fieldset = form[form.index("<fieldset") : form.index("</fieldset>")]
    assert 'name="comment"' in fieldset and 'name="helpful" value="no"' in fieldset


def test_saying_an_article_helped_is_recorded_with_the_comment(
    client: TestClient, seeded: Runtime
) -> None:
    article = client.get("/help/articles/fees")
    thanked = submit(
        client,
        article,
        "/help/articles/fees/feedback",
        {"helpful": "no", "comment": "没写清楚境外取现的费用"},
    )
    assert thanked.status_code == 200
    assert thanked.url.path == "/help/articles/fees"
    assert "感谢您的反馈" in thanked.text
    detail = kb_reading.staff_article(seeded, "fees")
    assert (detail.feedback.helpful, detail.feedback.not_helpful) == (0, 1)
    assert [f.comment for f in detail.feedback.recent_comments] == ["没写清楚境外取现的费用"]
    again = submit(
        client, "/help/articles/fees", "/help/articles/fees/feedback", {"helpful": "yes"}
    )
    assert again.status_code == 200
    assert kb_reading.staff_article(seeded, "fees").feedback.helpful == 1


@pytest.mark.parametrize(
    ("label", "typed", "message"),
    [
        ("no choice", {"comment": "还想了解退款"}, "请选择这篇文章是否对您有帮助"),
        ("a made-up choice", {"helpful": "maybe", "comment": "还想了解退款"}, "请选择"),
        ("too long", {"helpful": "no", "comment": "长" * (kb.COMMENT_MAX + 1)}, "不要超过 1000"),
    ],
)
def test_unusable_feedback_is_refused_with_the_comment_kept(
    client: TestClient, seeded: Runtime, label: str, typed: dict[str, str], message: str
) -> None:
    page = client.get("/help/articles/fees")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    refused = client.post(
        "/help/articles/fees/feedback", data={"csrf_token": token.group(1), **typed}
    )
    assert refused.status_code == 422, label
    assert message in refused.text
    assert typed["comment"] in html.unescape(refused.text), "what was typed is kept"
    detail = kb_reading.staff_article(seeded, "fees")
    assert (detail.feedback.helpful, detail.feedback.not_helpful) == (0, 0)


def test_feedback_without_the_csrf_token_is_refused(client: TestClient, seeded: Runtime) -> None:
    refused = client.post("/help/articles/fees/feedback", data={"helpful": "yes"})
    assert refused.status_code == 403
    assert kb_reading.staff_article(seeded, "fees").feedback.helpful == 0


# Is this really walletdesk? ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "value", "who"),
    [
        ("the hotline, as people write it", "400 000 8888", "walletdesk 官方客服热线"),
        ("the SMS number", "106900008888", "walletdesk 短信服务号"),
        ("an address at our email domain", "service@walletdesk.example", "walletdesk 官方邮箱"),
        ("our website", "https://walletdesk.example/login", "walletdesk 官方网站"),
        ("the WeChat official account", "walletdesk_cs", "walletdesk 微信公众号"),
    ],
)
def test_our_own_channels_are_confirmed_with_who_and_why(
    client: TestClient, rt: Runtime, label: str, value: str, who: str
) -> None:
    checked = submit(client, "/help/verify", "/help/verify", {"value": value})
    assert checked.status_code == 200, label
    assert "是的，这是 walletdesk" in checked.text
    assert who in checked.text and "walletdesk 官方渠道：" in checked.text
    assert f'value="{value}"' in checked.text, "the value stays in the box"


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("a stranger's mobile", "13912345678"),
        ("a look-alike domain", "https://walletdesk.example.verify-account.com"),
        ("a user name in front of our domain", "https://walletdesk.example@evil.test"),
        ("a look-alike WeChat account", "walletdesk_kefu"),
        ("a code nobody announced", "4821"),
    ],
)
def test_anything_else_is_not_us_with_the_scam_warning(
    client: TestClient, rt: Runtime, label: str, value: str
) -> None:
    checked = submit(client, "/help/verify", "/help/verify", {"value": value})
    assert checked.status_code == 200, label
    assert "这不是 walletdesk" in checked.text
    assert "可能是诈骗" in checked.text and "400-000-8888" in checked.text
    assert 'href="/help/articles/fake-customer-service"' in checked.text


def test_an_empty_check_is_refused_with_a_clear_message(client: TestClient, rt: Runtime) -> None:
    refused = submit(client, "/help/verify", "/help/verify", {"value": "   "})
    assert refused.status_code == 422
    assert 'id="value-error"' in refused.text and "请输入要核验的电话号码" in refused.text
    assert "这不是 walletdesk" not in refused.text


def test_the_official_channels_page_lists_the_signed_registry(
    client: TestClient, rt: Runtime
) -> None:
    page = client.get("/help/official-channels")
    assert page.status_code == 200
    for shown in ("400-000-8888", "106900008888", "@walletdesk.example", "walletdesk_cs"):
        assert shown in page.text
    assert "电话号码" in page.text and "微信" in page.text
    assert "由密钥 wd-channels-2026 签名" in page.text


def test_the_security_tips_are_the_security_articles(client: TestClient, seeded: Runtime) -> None:
    page = client.get("/help/security")
    assert page.status_code == 200
    security = {
        found.article.slug for found in kb_reading.list_articles(seeded, category="security")
    }
    assert {"security-tips", "fake-customer-service", "stolen-account"} <= security
    linked = set(re.findall(r'<h2><a href="/help/articles/([a-z0-9-]+)">', page.text))
    assert linked == security
    assert "客服不会向您索要密码或验证码" in page.text


# Access and language -------------------------------------------------------------------------


def test_the_public_help_pages_say_so_and_the_personal_ones_need_a_sign_in(app: FastAPI) -> None:
    rules = {route: found for route, found in _route_rules(app).items() if " /help" in route}
    personal = {
        route
        for route in rules
        if route.split(" ")[1].startswith(("/help/complaints", "/help/suggestions"))
    }
    assert len(rules) >= 16 and len(personal) >= 7
    for route, found in rules.items():
        wanted = {"authenticated_page"} if route in personal else {"public"}
        assert found == wanted, route


def test_help_pages_load_their_script_and_styles_and_run_no_inline_script(
    client: TestClient, seeded: Runtime
) -> None:
    for path in PUBLIC_PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<link rel="stylesheet" href="/static/help.css">' in page.text, path
        assert '<script src="/static/wallet.js" defer></script>' in page.text, path
        assert "<script>" not in page.text and " style=" not in page.text, path
    assert client.get("/static/help.css").status_code == 200


def _help_catalog_ids() -> set[str]:
    path = resources.files("walletdesk") / "locale" / "zh_CN" / "LC_MESSAGES" / "pages_help.po"
    with path.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }


def _shown_message_ids() -> set[str]:
    """English msgids whose Chinese differs: none may show on a Chinese page."""
    domain = [c.name for c in kb.CATEGORIES]
    domain += [*CATEGORY_NAMES.values(), *STEP_NAMES.values(), *TOPIC_NAMES.values()]
    domain += list(KIND_NAMES.values())
    return {
        message
        for message in _help_catalog_ids() | set(domain)
        if translate(message, "zh-CN") != message and "%(" not in message and "{" not in message
    }


_RAW_CODES = ("topup_withdrawal", "account_security", "service_attitude", "email_domain", "%(")


def test_no_help_page_shows_an_untranslated_message_key(
    client: TestClient, seeded: Runtime
) -> None:
    english_ids = _shown_message_ids()
    assert len(english_ids) > 100
    for path in PUBLIC_PAGES:
        joiner = "&" if "?" in path else "?"
        chinese = visible_text(client.get(f"{path}{joiner}lang=zh-CN").text)
        leaked = sorted(message for message in english_ids if message in chinese)
        assert not leaked, (path, leaked)
        english = visible_text(client.get(f"{path}{joiner}lang=en").text)
        assert not [code for code in _RAW_CODES if code in english], path
        assert not re.search(r"\{[a-z_]+\}", english + chinese), path
