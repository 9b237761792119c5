"""Macros (canned replies) in Chinese and English, expanded from `/shortcut`, and inserting a
knowledge-base article into a draft.

A set of starter macros ships with walletdesk; macros stored in the database are laid over
them by shortcut (a supervisor can change or retire a shipped one). Placeholders are filled
per case when expanding: `{customer_name}` (masked, as wallets show names: *明),
`{case_ref}` and `{agent_name}`. Anything else in braces is refused when a macro is saved.

Expanding never sends anything: the agent gets the text back, edits it and sends it as a
reply or a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.masking import mask_name
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.kb import article_for_insertion

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

SHORTCUT = re.compile(r"^[a-z0-9_]{2,32}$")
PLACEHOLDERS = ("customer_name", "case_ref", "agent_name")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SLASH = re.compile(r"(?<!\S)/([a-z0-9_]{2,32})(?![\w/])")
TITLE_MAX = 80
BODY_MAX = 2000


@dataclass(frozen=True)
class Macro:
    shortcut: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    active: bool = True
    updated_at: datetime | None = None
    updated_by: str | None = None
    """None for a shipped macro that nobody changed."""

    def title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title_zh

    def body(self, locale: str) -> str:
        return self.body_en if locale.startswith("en") else self.body_zh


STARTER_MACROS: tuple[Macro, ...] = (
    Macro(
        "greet",
        "问候",
        "Greeting",
        "您好，{customer_name}，我是 walletdesk 客服 {agent_name}，很高兴为您服务。"
        "请问有什么可以帮您？",
        "Hello {customer_name}, this is {agent_name} from walletdesk support. "
        "How can I help you today?",
    ),
    Macro(
        "never_ask",
        "安全提醒：不索要验证码",
        "Safety: we never ask for codes",
        "温馨提示：walletdesk 工作人员绝不会向您索要密码、短信验证码或身份验证器动态码，"
        "也不会要求您把钱转到所谓的“安全账户”。"
        "如有疑问，请在 App 的“这是真的 walletdesk 吗？”中核实联系人。",
        "Please note: walletdesk staff will never ask for your password, an SMS code or an "
        'authenticator code, and will never ask you to move money to a so-called "safe '
        'account". If in doubt, check who contacted you under "Is this really walletdesk?" '
        "in the app.",
    ),
    Macro(
        "topup_failed",
        "充值失败",
        "Top-up failed",
        "{customer_name}您好，充值失败时银行卡通常不会被扣款；"
        "如果已经扣款，银行会在 1–3 个工作日内原路退回。"
        "您可以在账单中点开这笔充值查看银行给出的失败原因。工单号：{case_ref}。",
        "Hello {customer_name}, when a top-up fails your card is normally not charged; if it "
        "was, your bank returns the money within 1–3 business days. Open the top-up in your "
        "bill to see the reason the bank gave. Case reference: {case_ref}.",
    ),
    Macro(
        "withdrawal_pending",
        "提现处理中",
        "Withdrawal pending",
        "您的提现已提交银行处理，一般 2 小时内到账，最迟不超过下一个工作日。"
        "处理期间这笔金额显示为“处理中”，不会被重复扣除。工单号：{case_ref}。",
        "Your withdrawal is with the bank. It usually arrives within 2 hours and at the latest "
        'on the next business day. Until then the amount shows as "processing" and is never '
        "taken twice. Case reference: {case_ref}.",
    ),
    Macro(
        "refund_issued",
        "退款已发起",
        "Refund issued",
        "{customer_name}您好，退款已原路退回您的 walletdesk 钱包，通常即时到账，"
        "您可以在账单中查看。工单号：{case_ref}。",
        "Hello {customer_name}, the refund went back to your walletdesk wallet and is usually "
        "there at once; you can see it in your bill. Case reference: {case_ref}.",
    ),
    Macro(
        "wallet_frozen",
        "钱包已冻结",
        "Wallet frozen",
        "为保护您的资金，我们已冻结您的钱包，冻结期间资金无法转出，您仍可登录查看。确认账户安全后，"
        "可在 App 中验证身份后解冻，或继续在本工单（{case_ref}）中联系我们。",
        "To protect your money we froze your wallet: nothing can leave it, but you can still "
        "sign in and look. Once your account is safe, unfreeze it in the app after confirming "
        "it is you, or write to us on this case ({case_ref}).",
    ),
    Macro(
        "closing",
        "结束语",
        "Closing",
        "请问还有其他可以帮您的吗？如果没有，本工单（{case_ref}）将标记为已解决；"
        "7 天内回复即可重新打开。祝您生活愉快！",
        "Is there anything else I can help with? If not, I will mark this case ({case_ref}) as "
        "solved; reply within 7 days to reopen it. Have a good day!",
    ),
)


class MacroNotFound(NotFound):
    default_code = "macro_not_found"
    default_message = N_("There is no macro /{shortcut}.")


def _check_placeholders(*texts: str) -> None:
    for text in texts:
        unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
        if unknown:
            raise ValidationFailed(
                "unknown_placeholder",
                N_("Macros can only use the placeholders {allowed}; remove {unknown}."),
                field="body_zh",
                allowed=", ".join("{" + p + "}" for p in PLACEHOLDERS),
                unknown=", ".join("{" + u + "}" for u in unknown),
            )


def all_macros(uow: UnitOfWork) -> dict[str, Macro]:
    """Every macro by shortcut: the shipped ones with the stored ones laid over them,
    retired ones included."""
    found = {m.shortcut: m for m in STARTER_MACROS}
    found.update({m.shortcut: m for m in uow.agent_tools.macros.all()})
    return dict(sorted(found.items()))


def list_macros(rt: Runtime) -> list[Macro]:
    """The active macros (the route lets only staff who work cases ask)."""
    with rt.db.uow(read_only=True) as uow:
        return [m for m in all_macros(uow).values() if m.active]


def every_macro(rt: Runtime) -> list[Macro]:
    """Every macro, retired ones too, by shortcut: what the admin pages list (their route
    checks `support.macros.manage`)."""
    with rt.db.uow(read_only=True) as uow:
        return list(all_macros(uow).values())


def find_macro(rt: Runtime, shortcut: str) -> Macro:
    """One macro by shortcut, retired or not; `MacroNotFound` when there is none."""
    with rt.db.uow(read_only=True) as uow:
        found = all_macros(uow).get(shortcut)
    if found is None:
        raise MacroNotFound(shortcut=shortcut)
    return found


@dataclass(frozen=True)
class Expansion:
    text: str
    locale: str
    used: list[str]
    """Shortcuts that were replaced, in order."""
    unknown: list[str]
    """`/words` that look like shortcuts but are no (active) macro: left as typed."""


def fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def expand(
    rt: Runtime, actor: SupportActor, case_id: str, text: str, *, locale: str | None = None
) -> Expansion:
    """Replace every `/shortcut` in `text` with the macro's body in `locale` (default: the
    case's language), placeholders filled for this case."""
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
        contact = uow.support.contacts.get(case.contact_id)
        agent = uow.users.get(actor.user_id) if actor.user_id else None
        macros = {k: m for k, m in all_macros(uow).items() if m.active}
    chosen = "en" if (locale or case.locale).startswith("en") else "zh-CN"
    values = {
        "customer_name": mask_name(contact.display_name) if contact else "",
        "case_ref": case.id,
        "agent_name": agent.display_name if agent else "",
    }
    used: list[str] = []
    unknown: list[str] = []

    def replace_one(match: re.Match[str]) -> str:
        macro = macros.get(match.group(1))
        if macro is None:
            unknown.append(match.group(1))
            return match.group(0)
        used.append(macro.shortcut)
        return fill(macro.body(chosen), values)

    return Expansion(_SLASH.sub(replace_one, text), chosen, used, unknown)


def save_macro(rt: Runtime, actor: Actor, macro: Macro, *, new: bool = False) -> Macro:
    """Create or change a macro (a shipped one too); audited. With `new`, a shortcut that is
    already taken (retired or shipped ones included) is refused rather than overwritten."""
    if not SHORTCUT.match(macro.shortcut):
        raise ValidationFailed(
            "invalid_shortcut",
            N_("A shortcut is 2 to 32 lowercase letters, digits or underscores."),
            field="shortcut",
        )
    titles = (macro.title_zh.strip()[:TITLE_MAX], macro.title_en.strip()[:TITLE_MAX])
    bodies = (macro.body_zh.strip(), macro.body_en.strip())
    if not all(titles) or not all(bodies):
        raise ValidationFailed(
            "macro_text_required",
            N_("Give the macro a title and a text in both Chinese and English."),
            field="body_zh",
        )
    if any(len(body) > BODY_MAX for body in bodies):
        raise ValidationFailed("macro_too_long", field="body_zh")
    _check_placeholders(*bodies)
    now = rt.clock.now()
    stored = replace(
        macro,
        title_zh=titles[0],
        title_en=titles[1],
        body_zh=bodies[0],
        body_en=bodies[1],
        updated_at=now,
        updated_by=actor.id,
    )
    with rt.db.uow() as uow:
        before = all_macros(uow).get(macro.shortcut)
        if new and before is not None:
            raise Conflict(
                "macro_exists",
                N_("A macro with this shortcut already exists: open it to change it."),
                field="shortcut",
            )
        uow.agent_tools.macros.put(stored)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.macro_saved",
            subject_kind="macro",
            subject_id=macro.shortcut,
            details={"created": before is None, "active": stored.active},
        )
        uow.commit()
    return stored


def retire_macro(rt: Runtime, actor: Actor, shortcut: str) -> Macro:
    """Take a macro out of use (shipped ones too); audited. Saving it again brings it back."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        current = all_macros(uow).get(shortcut)
        if current is None:
            raise MacroNotFound(shortcut=shortcut)
        retired = replace(current, active=False, updated_at=now, updated_by=actor.id)
        uow.agent_tools.macros.put(retired)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.macro_retired",
            subject_kind="macro",
            subject_id=shortcut,
        )
        uow.commit()
    return retired


# -- knowledge-base articles ------------------------------------------------------------------
# The knowledge base answers for its published public articles; for anything else (an
# external page, an article it does not have) the agent supplies the text and the link.


@dataclass(frozen=True)
class SuppliedArticle:
    title: str
    text: str
    url: str


@dataclass(frozen=True)
class Insertion:
    article_id: str
    title: str
    text: str
    url: str
    source: str
    """"kb" when the knowledge base answered, "request" when the caller supplied it."""

    @property
    def snippet(self) -> str:
        """What goes into the draft: the text, then the link."""
        return f"{self.text}\n{self.url}" if self.text else self.url


def _from_knowledge_base(rt: Runtime, article_id: str, locale: str) -> Insertion | None:
    """The published public article from the knowledge base (`support.kb`), if it has it."""
    found = article_for_insertion(rt, article_id, locale=locale)
    if found is None:
        return None
    return Insertion(found.article_id, found.title, found.text[:BODY_MAX], found.url, "kb")


def _safe_link(url: str) -> str:
    cleaned = url.strip()
    if cleaned.startswith("/") and not cleaned.startswith("//"):
        return cleaned[:500]
    if re.match(r"^https://[^\s/]+", cleaned):
        return cleaned[:500]
    raise ValidationFailed(
        "invalid_article_link",
        N_("Link to the article with an https:// address or a path on this site."),
        field="url",
    )


def insert_article(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    *,
    article_id: str,
    locale: str | None = None,
    supplied: SuppliedArticle | None = None,
) -> Insertion:
    """The text and link of a knowledge-base article to put into a draft on this case: from
    the knowledge base when it knows the article, else from what the caller supplied."""
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
    chosen = "en" if (locale or case.locale).startswith("en") else "zh-CN"
    found = _from_knowledge_base(rt, article_id, chosen)
    if found is not None:
        return found
    if supplied is None or not (supplied.text.strip() or supplied.url.strip()):
        raise NotFound("article_not_found", N_("We could not find this article."))
    return Insertion(
        article_id,
        supplied.title.strip()[:TITLE_MAX],
        supplied.text.strip()[:BODY_MAX],
        _safe_link(supplied.url),
        "request",
    )
