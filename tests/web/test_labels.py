"""Accessible labels (issue 7 item 9; audit G10): on the main pages every visible field has a
name a screen reader can say (`<label for>`, a wrapping `<label>`, `aria-label` or
`aria-labelledby`), and a field shown with an error says so (`aria-invalid`) and points at the
error text (`aria-describedby`), so the error is read out with the field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx2
import pytest
from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT
from tests.ledger.funding import fund
from tests.support import ZHANG_MING
from tests.web.pages import post_form
from tests.web.test_wallet_pages import bind_card_via_pages, submit, wallet_user
from walletdesk.audit.services import Actor
from walletdesk.ledger.fx_rates import set_rate
from walletdesk.runtime import Runtime

_NOT_FIELDS = frozenset({"hidden", "submit", "button", "image", "reset"})
_VOID = frozenset({"input", "br", "hr", "img", "meta", "link", "source", "area", "wbr", "col"})


@dataclass
class Field:
    tag: str
    attrs: dict[str, str]
    wrapped: bool
    """Inside a `<label>`."""
    error_group: dict[str, str] | None
    """The attributes of the nearest enclosing element marked `has-error`, if any."""

    @property
    def name(self) -> str:
        return self.attrs.get("name") or self.attrs.get("id") or self.tag


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]


@dataclass
class PageFields(HTMLParser):
    """The page's fields, labels and error texts, read the way assistive technology sees
    them: only fields a person can see and fill in."""

    fields: list[Field] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    error_ids: set[str] = field(default_factory=set)
    _open: list[_Open] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        classes = found.get("class", "").split()
        if tag == "label" and found.get("for"):
            self.label_for.add(found["for"])
        if "error" in classes and found.get("id"):
            self.error_ids.add(found["id"])
        hidden = "hidden" in found or any(
            "hidden" in o.attrs or o.attrs.get("aria-hidden") == "true" for o in self._open
        )
        is_field = tag in ("select", "textarea") or (
            tag == "input" and found.get("type", "text") not in _NOT_FIELDS
        )
        if is_field and not hidden:
            group = next(
                (o.attrs for o in reversed(self._open) if "has-error" in o.attrs.get("class", "")),
                None,
            )
            wrapped = any(o.tag == "label" for o in self._open)
            self.fields.append(Field(tag, found, wrapped, group))
        if tag not in _VOID:
            self._open.append(_Open(tag, found))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return


def unlabelled(page: PageFields) -> list[str]:
    return [
        f.name
        for f in page.fields
        if not (
            f.wrapped
            or f.attrs.get("id", "\0") in page.label_for
            or f.attrs.get("aria-label", "").strip()
            or f.attrs.get("aria-labelledby", "").strip()
        )
    ]


def _points_at_error(attrs: dict[str, str], page: PageFields) -> bool:
    return bool(set(attrs.get("aria-describedby", "").split()) & page.error_ids)


def unexplained_errors(page: PageFields) -> list[str]:
    """Fields in an error group that are not marked invalid or not tied to the error text. A
    radio or checkbox group may carry the link on its fieldset instead (one error, one group)."""
    wrong = []
    for f in page.fields:
        if f.error_group is None:
            continue
        if f.attrs.get("type") in ("radio", "checkbox"):
            if not (_points_at_error(f.attrs, page) or _points_at_error(f.error_group, page)):
                wrong.append(f.name)
        elif f.attrs.get("aria-invalid") != "true" or not _points_at_error(f.attrs, page):
            wrong.append(f.name)
    return wrong


def read(response: httpx2.Response) -> PageFields:
    page = PageFields()
    page.feed(response.text)
    page.close()
    return page


# The pages, signed in as 张明 with a bound debit card, ¥500, $20 and a USD rate -------------

Opener = Callable[[TestClient, Runtime], httpx2.Response]


def _get(path: str) -> Opener:
    return lambda client, rt: client.get(path)


def _refused(page: str, action: str, typed: dict[str, str]) -> Opener:
    """The page as it comes back from a form that was refused (what was typed, the errors)."""
    return lambda client, rt: submit(client, page, action, typed)


PAGES: list[tuple[str, Opener]] = [
    ("wallet home", _get("/wallet")),
    ("top-up", _get("/wallet/topup")),
    ("top-up refused", _refused("/wallet/topup", "/wallet/topup/review", {"amount": "abc"})),
    ("withdraw", _get("/wallet/withdraw")),
    (
        "withdraw refused",
        _refused("/wallet/withdraw", "/wallet/withdraw/review", {"amount": "-1"}),
    ),
    ("transfer", _get("/wallet/transfer")),
    (
        "transfer refused",
        _refused(
            "/wallet/transfer",
            "/wallet/transfer/review",
            {"to": "", "amount": "1.001"},
        ),
    ),
    (
        "transfer currency refused",
        _refused(
            "/wallet/transfer",
            "/wallet/transfer/review",
            {"to": "13900001111", "amount": "5", "currency": "XYZ"},
        ),
    ),
    ("convert", _get("/wallet/convert")),
    ("convert refused", _refused("/wallet/convert", "/wallet/convert/quote", {"amount": "x"})),
    ("transactions", _get("/wallet/transactions")),
    ("transactions refused", _get("/wallet/transactions?since=23/11/2026&min_amount=x")),
    ("bill", _get("/wallet/bills")),
    ("cards", _get("/wallet/cards")),
    (
        "cards refused",
        _refused("/wallet/cards", "/wallet/cards", {"card_number": "1234", "phone": "12"}),
    ),
    ("security", _get("/security")),
    (
        "security refused",
        _refused(
            "/security",
            "/security/password",
            {"current_password": "not it at all", "new_password": "short"},
        ),
    ),
    ("two-factor setup", lambda client, rt: submit(client, "/security", "/security/2fa/begin")),
    (
        "two-factor code refused",
        lambda client, rt: submit(
            client,
            submit(client, "/security", "/security/2fa/begin"),
            "/security/2fa/confirm",
            {"code": "000000"},
        ),
    ),
    ("help home", _get("/help")),
    ("help search", _get("/help/search?q=提现")),
    ("complaint form", _get("/help/complaints")),
    ("complaint refused", _refused("/help/complaints", "/help/complaints", {})),
    ("suggestions", _get("/help/suggestions")),
    ("suggestion refused", _refused("/help/suggestions", "/help/suggestions", {})),
]


@pytest.fixture
def zhang(client: TestClient, rt: Runtime) -> TestClient:
    user_id = wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING, ICBC_DEBIT)
    fund(rt, user_id, "500.00")
    fund(rt, user_id, "20.00", "USD")  # a second currency: the transfer form offers a choice
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=50)
    return client


@pytest.mark.parametrize(("label", "opener"), PAGES, ids=[label for label, _ in PAGES])
def test_every_field_on_the_page_has_a_label_and_its_error_is_tied_to_it(
    zhang: TestClient, rt: Runtime, label: str, opener: Opener
) -> None:
    response = opener(zhang, rt)
    assert response.status_code < 500, response.text
    page = read(response)
    assert page.fields, f"{label}: the page shows no fields"
    assert unlabelled(page) == [], label
    assert unexplained_errors(page) == [], label
    if label.endswith("refused"):
        assert any(f.error_group for f in page.fields), f"{label}: no field shows an error"
    if label == "transfer currency refused":
        [currency] = [f for f in page.fields if f.attrs.get("name") == "currency"]
        assert currency.error_group is not None, "the refused currency is the field in error"


@pytest.mark.parametrize(
    ("label", "path", "typed"),
    [
        ("sign in", "/login", {"login": "13800138000", "password": "wrong password 1"}),
        ("register", "/register", {"display_name": "", "phone": "12", "password": "short"}),
    ],
)
def test_the_signed_out_forms_have_labels_and_tie_errors_to_their_fields(
    client: TestClient, label: str, path: str, typed: dict[str, str]
) -> None:
    shown = read(client.get(path))
    assert shown.fields and unlabelled(shown) == [], label
    refused = post_form(client, path, typed)
    page = read(refused)
    assert unlabelled(page) == [] and unexplained_errors(page) == [], label


def test_the_checks_catch_an_unlabelled_field_and_an_error_not_tied_to_its_field() -> None:
    """The parser itself: a bare input and an error the select does not point at."""
    page = PageFields()
    page.feed(
        '<input name="bare"><label>Wrapped <input name="ok"></label>'
        '<div class="field has-error"><label for="c">Currency</label>'
        '<select id="c" name="currency"></select><p class="error" id="c-error">Bad</p></div>'
        '<input type="hidden" name="csrf_token"><div hidden><input name="unseen"></div>'
    )
    assert unlabelled(page) == ["bare"]
    assert unexplained_errors(page) == ["currency"]
