"""Staying safe (防诈骗): "Is this really walletdesk?" (a phone number, email, web address,
WeChat account or contact code checked against the signed registry and the contacts our
agents announced), the official channels, and the security tips. No sign-in needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_, Text, translate
from walletdesk.support import contacts_registry, kb_reading
from walletdesk.support.contacts_registry import ContactCheck
from walletdesk.support.kb_search import plain
from walletdesk.support.official_channels import EntryKind, OfficialEntry
from walletdesk.support.official_channels_store import hotline, official_channels_now
from walletdesk.support.verification_models import PURPOSE_NAMES
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.help_view import blank_form, help_failure, help_render
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import MaybePageUser, PageContext

router = APIRouter(prefix="/help", dependencies=[Depends(csrf_protected)], include_in_schema=False)

VALUE_MAX: Final = 200
SECURITY_CATEGORY: Final = "security"
SUMMARY: Final = 140
KIND_NAMES: Final = {
    EntryKind.PHONE: N_("Phone numbers"),
    EntryKind.EMAIL_DOMAIN: N_("Email"),
    EntryKind.WEB_DOMAIN: N_("Websites"),
    EntryKind.WECHAT: N_("WeChat"),
}


@dataclass(frozen=True)
class Verdict:
    """What the verifier says about one value, in the reader's language."""

    genuine: bool
    who: str | None = None
    why: str | None = None
    warning: str | None = None


def verdict_of(check: ContactCheck, locale: str, hotline: str) -> Verdict:
    if not check.genuine:
        warning = translate(contacts_registry.SCAM_WARNING, locale, hotline=hotline)
        return Verdict(False, warning=warning)
    if check.entry is not None:
        about = check.entry.about_in(locale)
        why = translate(contacts_registry.OFFICIAL_WHY, locale, about=about)
        return Verdict(True, who=check.entry.name_in(locale), why=why)
    assert check.purpose is not None
    why = translate(
        contacts_registry.CONTACT_WHY,
        locale,
        agent=check.agent_name or "",
        purpose=Text(PURPOSE_NAMES[check.purpose]),
    )
    return Verdict(True, who=check.agent_name, why=why)


def _verify_page(request: Request, form: FormState, verdict: Verdict | None = None) -> Response:
    return help_render(request, "help/verify.html", {"form": form, "verdict": verdict})


@router.get("/verify")
def verify_page(request: Request, user: MaybePageUser) -> Response:
    return _verify_page(request, blank_form())


@router.post("/verify")
def verify_contact(
    request: Request,
    user: MaybePageUser,
    rt: RuntimeDep,
    ctx: PageContext,
    value: FormText = "",
) -> Response:
    """Checked by POST, so a number someone was called from stays out of addresses and logs.
    A signed-in user's contact codes are checked against their own contacts only."""
    typed = text(value, VALUE_MAX).strip()
    try:
        if not typed:
            raise ValidationFailed(
                "verify_value_missing",
                N_(
                    "Type the phone number, email address, web address, WeChat account or "
                    "code you want to check."
                ),
                field="value",
            )
        check = contacts_registry.verify_contact(
            rt, typed, ip=ctx.ip, user_id=user.user.id if user else None
        )
    except DomainError as exc:
        return help_failure(
            request,
            exc,
            "help/verify.html",
            {"verdict": None},
            fields=("value",),
            values={"value": typed},
        )
    verdict = verdict_of(check, page_locale(request), hotline(rt))
    return _verify_page(request, blank_form({"value": typed}), verdict)


@router.get("/official-channels")
def channels_page(request: Request, user: MaybePageUser, rt: RuntimeDep) -> Response:
    """Every entry of the signed registry in effect, by kind."""
    registry = official_channels_now(rt)
    grouped: dict[EntryKind, list[OfficialEntry]] = {kind: [] for kind in KIND_NAMES}
    for entry in registry.entries:
        grouped[entry.kind].append(entry)
    return help_render(
        request,
        "help/channels.html",
        {"registry": registry, "grouped": grouped, "kind_names": KIND_NAMES},
    )


@router.get("/security")
def security_tips(request: Request, user: MaybePageUser, rt: RuntimeDep) -> Response:
    """The knowledge base's security articles, each with the start of its text."""
    locale = page_locale(request)
    tips = [
        (found, summary(found.version.body(locale)))
        for found in kb_reading.list_articles(rt, category=SECURITY_CATEGORY)
    ]
    return help_render(request, "help/security.html", {"tips": tips})


def summary(markdown: str) -> str:
    """The article's first paragraph of running text (no heading, list or table), shortened."""
    for block in markdown.split("\n\n"):
        first = block.lstrip()
        if first and not first.startswith(("#", "-", "*", "|", ">")) and not first[0].isdigit():
            text = plain(block)
            return text if len(text) <= SUMMARY else text[:SUMMARY].rstrip() + "…"
    return ""
