"""Empty states say what to do next (issue 7 item 8; audit G4): a new user opens each page
that lists something and reads, in Chinese and in English, why it is empty and where to go."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

from tests.web.test_wallet_pages import wallet_user
from walletdesk.runtime import Runtime

EMPTY_STATES = [
    ("transactions, none yet", "/wallet/transactions",
     ["还没有交易。可以从银行卡充值，或把手机号告诉朋友，让他们向您转账。"],
     ["No transactions yet. Top up from a bank card, or share your phone number so friends can "
      "transfer to you."],
     'href="/wallet/topup"'),
    ("transactions, filtered", "/wallet/transactions?type=refund",
     ["没有符合筛选条件的交易。请扩大日期范围或清除筛选。"],
     ["Nothing matches these filters. Try a wider date range or clear the filters."],
     None),
    ("bill", "/wallet/bills",
     ["本月 CNY 没有收支。充值、付款和转账后，账单会自动生成。"],
     ["Nothing moved in CNY this month. Your bill fills in as you top up, pay and transfer."],
     'href="/wallet/transactions"'),
    ("rewards", "/wallet/rewards",
     ["还没有积分。用钱包余额或已绑定的银行卡向商户付款即可获得积分。",
      "目前没有优惠券。商户的优惠会显示在这里，付款时可以选用。"],
     ["No points yet. Pay a merchant from your wallet or with a bound card to start collecting "
      "them.",
      "No coupons right now. Merchants' offers appear here, and you can pick one when you pay."],
     None),
    ("complaints", "/help/complaints",
     ["您还没有投诉记录。如果遇到问题，请用表单告诉我们；简单的问题，帮助文章可能更快解答。"],
     ["You have not made any complaints. If something went wrong, tell us with the form; for a "
      "quick question, the help articles may answer it sooner."],
     'action="/help/complaints"'),
    ("suggestions", "/help/suggestions",
     ["还没有建议。每条建议我们都会认真阅读，您可以在这里查看处理进展。"],
     ["No suggestions yet. Every one is read, and you can follow what becomes of it here."],
     'action="/help/suggestions"'),
    ("help category", "/help/categories/fees",
     ["这个主题下还没有文章。试试搜索，或告诉我们您希望看到哪些内容。"],
     ["No articles in this topic yet. Try searching, or tell us what you would like to read."],
     'href="/help/suggestions"'),
    ("convert without rates", "/wallet/convert",
     ["当前没有可用汇率，暂时无法换汇，请稍后再试。"],
     ["No exchange rates are set right now, so exchange is not available. Please try again "
      "later."],
     None),
]  # fmt: skip


@pytest.mark.parametrize(("label", "path", "chinese", "english", "next_step"), EMPTY_STATES)
def test_an_empty_page_says_why_and_what_to_do_next_in_both_languages(
    client: TestClient,
    rt: Runtime,
    label: str,
    path: str,
    chinese: list[str],
    english: list[str],
    next_step: str | None,
) -> None:
    wallet_user(client, rt)
    for lang, texts in (("zh-CN", chinese), ("en", english)):
        page = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert page.status_code == 200, (label, lang, page.text)
        shown = html.unescape(page.text)
        for expected in texts:
            assert expected in shown, (label, lang, expected)
        if next_step:
            assert next_step in page.text, (label, "the next step is a link or form")


def test_a_filtered_empty_list_does_not_offer_the_first_top_up(
    client: TestClient, rt: Runtime
) -> None:
    """Filters that match nothing say so; "Top up" is for a history with nothing in it."""
    wallet_user(client, rt)
    page = client.get("/wallet/transactions", params={"status": "failed"})
    assert "没有符合筛选条件的交易" in page.text
    assert "还没有交易" not in page.text and 'rel="next"' not in page.text
