"""Text contrast on the main pages, measured in a real browser (the system Chromium through
Playwright) in Chinese and English (issue 7 audit G12).

For every visible element with its own text, the page's computed text colour is compared with
its effective background: the first ancestor (or itself) whose background colour is not
transparent, with translucent layers blended over what lies under them. WCAG 2.1 AA asks for
4.5:1, or 3:1 for large text (24 px and more, or bold from 18.66 px). Disabled controls are
exempt (WCAG 1.4.3), and so is text in SVG charts, which is drawn with `fill`, not `color`.
One page load per page per language keeps it quick."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, sync_playwright

from tests.ledger.funding import fund, user_id_of
from tests.support import ZHANG_MING
from tests.support_desk.agent_tools_helpers import signed_up_with_case
from tests.web.browser_harness import (
    LANGUAGES,
    chromium,
    laptop_context,
    new_staff,
    phone_context,
    staff_sign_in,
)
from tests.web.test_browser import live_server  # noqa: F401
from walletdesk.runtime import Runtime
from walletdesk.support.kb_seed import seed_kb

pytestmark = pytest.mark.browser

USER_PAGES = (
    "/wallet",
    "/wallet/transfer",
    "/wallet/transactions",
    "/help",
    "/help/articles/fake-customer-service",
)

# Returns one line per text element below its WCAG AA ratio.
LOW_CONTRAST = """() => {
  function rgba(text) {
    const parts = text.match(/[\\d.]+/g).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  }
  function over(top, under) {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  }
  function background(el) {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) { layers.push(colour); }
      if (colour[3] >= 1) { break; }
    }
    let result = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i -= 1) { result = over(layers[i], result); }
    return result;
  }
  function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map(v => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = Array.from(el.childNodes).some(
      n => n.nodeType === 3 && n.textContent.trim() !== "");
    if (!own || el.closest("svg, script, style, noscript, [hidden]") || el.disabled) { continue; }
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility !== "visible" || box.width <= 1 || box.height <= 1) { continue; }
    const back = background(el);
    const fore = over(rgba(style.color), back);
    const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (parseInt(style.fontWeight, 10) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) {
      const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
      found.push(`${name} "${el.textContent.trim().slice(0, 30)}" ${style.color} on `
        + `rgb(${back.slice(0, 3).map(Math.round)}) = ${ratio.toFixed(2)}`);
    }
  }
  return found;
}"""


def low_contrast(page: Page, server: str, paths: tuple[str, ...]) -> list[str]:
    """What fails on each page, opened once in each language."""
    failures: list[str] = []
    for language in LANGUAGES:
        for path in paths:
            page.goto(f"{server}{path}?lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            failures += [f"{language} {path}: {line}" for line in page.evaluate(LOW_CONTRAST)]
    return failures


def test_text_on_the_main_pages_meets_wcag_aa_contrast_in_both_languages(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
    client: TestClient,
) -> None:
    seed_kb(rt)
    signed_up_with_case(client, ZHANG_MING, "提现一直没到账")
    fund(rt, user_id_of(rt, ZHANG_MING.display_name), "500.00")
    agent = new_staff(rt, "xiaochen", "小陈", "agent")
    admin = new_staff(rt, "guanli", "管理员小林", "admin")
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        try:
            page = phone_context(browser).new_page()
            page.goto(f"{live_server}/login")
            page.fill("#login", ZHANG_MING.login)
            page.fill("#password", ZHANG_MING.password)
            page.press("#password", "Enter")
            page.wait_for_url(f"{live_server}/")
            failures = low_contrast(page, live_server, USER_PAGES)

            for staff, home in ((agent, "/console"), (admin, "/console/admin")):
                staff_page = staff_sign_in(laptop_context(browser), live_server, rt, staff, home)
                failures += low_contrast(staff_page, live_server, (home,))
        finally:
            browser.close()
    assert not failures, "text below WCAG AA contrast:\n" + "\n".join(failures)
