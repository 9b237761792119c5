"""The wallet app's pages: home, the first-run tour, bank cards, languages, access and CSRF.

The helpers at the top drive the pages the way a browser does (the hidden fields of the form
on the page, then what a person types) and are shared by the other wallet page tests.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx2
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.banking.cards import CCB_CREDIT, ICBC_DEBIT
from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING, Person, last_code
from tests.web.pages import signed_up_and_in
from tests.web.test_route_access import _route_rules
from walletdesk.runtime import Runtime


class _Forms(HTMLParser):
    """The fields a browser would send with each form on a page, by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("method", "get").lower() == "post":
            self._current = self.forms.setdefault(found.get("action", ""), {})
        elif self._current is not None and tag == "input" and "name" in found:
            kind = found.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in found:
                return
            self._current.setdefault(found["name"], found.get("value", ""))
        elif self._current is not None and tag == "select":
            self._select = found.get("name")
        elif self._current is not None and tag == "option" and self._select:
            if "selected" in found or self._select not in self._current:
                self._current[self._select] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def form_fields(page: str, action: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(page)
    assert action in parser.forms, f"no form posting to {action}: {sorted(parser.forms)}"
    return parser.forms[action]


def submit(
    client: TestClient,
    page: httpx2.Response | str,
    action: str,
    typed: dict[str, str] | None = None,
    *,
    follow: bool = True,
) -> httpx2.Response:
    """Post the form `action` of `page` (a response or a path to open) with `typed` on top."""
    shown = client.get(page) if isinstance(page, str) else page
    text = shown.text
    body = {**form_fields(text, action), **(typed or {})}
    return client.post(action, data=body, follow_redirects=follow)


def bind_card_via_pages(
    client: TestClient, rt: Runtime, person: Person, number: str = ICBC_DEBIT
) -> httpx2.Response:
    started = submit(
        client,
        "/wallet/cards",
        "/wallet/cards",
        {"card_number": number, "holder_name": person.display_name, "phone": person.phone or ""},
    )
    assert started.status_code == 200, started.text
    action = re.search(r'action="(/wallet/cards/card_\w+/verify)"', started.text)
    assert action, started.text
    code = last_code(rt, person.phone or "")
    return submit(client, started, action.group(1), {"code": code})


def wallet_user(client: TestClient, rt: Runtime, person: Person = ZHANG_MING) -> str:
    """Sign `person` up and in through the pages; returns their user id."""
    signed_up_and_in(client, person)
    return user_id_of(rt, person.display_name)


# Home ----------------------------------------------------------------------------------------


def test_the_wallet_home_shows_available_and_held_balances_and_quick_actions(
    client: TestClient, rt: Runtime
) -> None:
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "1288.50")
    fund(rt, zhang, "20.00", "USD")
    home = client.get("/wallet")
    assert home.status_code == 200
    assert "我的钱包" in home.text
    assert "¥1,288.50" in home.text and "US$20.00" in home.text
    assert "冻结中：¥0.00" in home.text
    for action in ("/wallet/topup", "/wallet/withdraw", "/wallet/transfer", "/wallet/convert"):
        assert f'href="{action}"' in home.text
    assert "今日剩余额度" in home.text
    assert '<script src="/static/wallet.js" defer></script>' in home.text
    assert "<script>" not in home.text, "no inline script: the pages run under a strict CSP"


def test_a_new_user_sees_the_tour_and_what_to_do_first(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    home = client.get("/wallet")
    assert 'id="tour"' in home.text
    assert "绑定银行卡" in home.text
    assert "还没有交易" in home.text, "the empty history says what to do next"


def test_a_closed_tour_stays_closed_in_this_browser(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    closed = submit(client, "/wallet", "/wallet/tour/dismiss")
    assert closed.url.path == "/wallet"
    assert 'id="tour"' not in closed.text
    assert "导览已关闭" in closed.text
    assert 'id="tour"' not in client.get("/wallet").text


def test_the_tour_is_only_for_users_with_nothing_in_their_history_yet(
    client: TestClient, rt: Runtime
) -> None:
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "10.00")
    assert 'id="tour"' not in client.get("/wallet").text


def test_the_wallet_speaks_english_when_asked(client: TestClient, rt: Runtime) -> None:
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "88.00")
    home = client.get("/wallet?lang=en")
    assert "My wallet" in home.text and "Top up" in home.text
    assert "CN¥88.00" in home.text
    assert "Held: CN¥0.00" in home.text
    assert "我的钱包" not in home.text


def test_signed_out_visitors_are_sent_to_sign_in_and_come_back(client: TestClient) -> None:
    response = client.get("/wallet/transfer", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fwallet%2Ftransfer"


def test_every_wallet_page_uses_the_signed_in_page_rule(app: FastAPI) -> None:
    wallet = {
        route: rules
        for route, rules in _route_rules(app).items()
        if route.split(" ")[1].startswith(("/wallet", "/pay"))
    }
    assert len(wallet) >= 30
    assert all(rules == {"authenticated_page"} for rules in wallet.values()), wallet


# Cards ---------------------------------------------------------------------------------------


def test_a_card_is_bound_with_the_banks_code_and_then_listed(
    client: TestClient, rt: Runtime
) -> None:
    wallet_user(client, rt)
    empty = client.get("/wallet/cards")
    assert "还没有银行卡" in empty.text
    started = submit(
        client,
        empty,
        "/wallet/cards",
        {"card_number": ICBC_DEBIT, "holder_name": "张明", "phone": ZHANG_MING.phone or ""},
    )
    assert "第 2 步" in started.text
    assert "138****5678" in started.text, "the bank texted the card's phone, shown masked"
    assert ICBC_DEBIT not in started.text
    verify = re.search(r'action="(/wallet/cards/card_\w+/verify)"', started.text)
    assert verify
    wrong = submit(client, started, verify.group(1), {"code": "000001"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.text
    bound = submit(client, started, verify.group(1), {"code": last_code(rt, "13812345678")})
    assert bound.url.path == "/wallet/cards"
    assert "银行卡已绑定" in bound.text
    assert f"中国工商银行 借记卡 尾号 {ICBC_DEBIT[-4:]}" in bound.text


def test_a_wrong_card_number_is_explained_and_the_other_fields_are_kept(
    client: TestClient, rt: Runtime
) -> None:
    wallet_user(client, rt)
    typo = ICBC_DEBIT[:-1] + str((int(ICBC_DEBIT[-1]) + 1) % 10)
    refused = submit(
        client,
        "/wallet/cards",
        "/wallet/cards",
        {"card_number": typo, "holder_name": "张明", "phone": "13812345678"},
    )
    assert refused.status_code == 422
    assert 'id="card_number-error"' in refused.text and "卡号无效" in refused.text
    assert 'value="张明"' in refused.text and 'value="13812345678"' in refused.text
    assert typo not in refused.text, "a card number is never sent back to the browser"


def test_removing_a_card_asks_first_then_removes_it(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING, CCB_CREDIT)
    cards = client.get("/wallet/cards")
    remove = re.search(r'href="(/wallet/cards/card_\w+/remove)"', cards.text)
    assert remove
    question = client.get(remove.group(1))
    assert "移除这张银行卡？" in question.text
    assert "尾号 " + CCB_CREDIT[-4:] in question.text
    removed = submit(client, question, remove.group(1))
    assert "银行卡已从您的钱包移除" in removed.text
    assert CCB_CREDIT[-4:] not in removed.text.split("绑定新卡")[0]


def test_someone_elses_card_looks_missing(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING)
    card_id = re.search(r"/wallet/cards/(card_\w+)/remove", client.get("/wallet/cards").text)
    assert card_id
    client.cookies.clear()
    wallet_user(client, rt, LI_NA)
    assert client.get(f"/wallet/cards/{card_id.group(1)}/remove").status_code == 404
    taken = client.post(
        f"/wallet/cards/{card_id.group(1)}/remove",
        data={"csrf_token": client.cookies.get("wd_csrf") or ""},
    )
    assert taken.status_code == 404


def test_a_money_form_without_the_csrf_token_is_refused(client: TestClient, rt: Runtime) -> None:
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "100.00")
    refused = client.post(
        "/wallet/transfer/confirm",
        data={"to": "13987654321", "amount": "10.00", "currency": "CNY", "form_key": "pgk_x"},
    )
    assert refused.status_code == 403
    assert "此表单已过期或并非来自 walletdesk" in refused.text
    assert "¥100.00" in client.get("/wallet").text
