"""The case page and its conversation tools: reply (with `/shortcut` macros and knowledge-base
insertion), internal notes with @mentions, status and priority, taking a case, and "who is
viewing".

Every write carries the case `version` the agent saw. When the case moved on meanwhile, the
service refuses it (`case_changed`) and the page comes back with 409, the draft kept and the
events the agent missed listed above the reply box.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import casework, kb_search, macros, notes, routing_work, viewers
from walletdesk.support.models import Priority, Visibility
from walletdesk.support.versioning import CaseChanged
from walletdesk.web.console_case_view import CasePageState, case_page
from walletdesk.web.console_view import ConsoleAgent, actor_of, form_error
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.rendering import page_locale

router = APIRouter(
    prefix="/console/cases", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

DRAFT_MAX: Final = 4000
CASE_ID_MAX: Final = 40
KB_HITS: Final = 5


def case_url(case_id: str) -> str:
    return f"/console/cases/{case_id}"


def parse_version(value: str) -> int | None:
    """The case version a form was composed against ("" sends none: no check)."""
    cleaned = value.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise ValidationFailed(
            "invalid_case_version", N_("This case has no version {version}."), version=cleaned
        )
    return int(cleaned)


def stale_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    case_id: str,
    exc: CaseChanged,
    form_name: str,
    values: dict[str, str],
) -> Response:
    """The refusal of a write composed against an old version: what changed, draft kept."""
    form, status, headers = form_error(request, exc, fields=(), values=values)
    state = CasePageState(forms={form_name: form}, stale_events=exc.events)
    return case_page(request, rt, auth, case_id, state, status_code=status, headers=headers)


def failed_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    case_id: str,
    exc: DomainError,
    form_name: str,
    values: dict[str, str],
    fields: tuple[str, ...],
    aliases: dict[str, str] | None = None,
) -> Response:
    if isinstance(exc, CaseChanged):
        return stale_page(request, rt, auth, case_id, exc, form_name, values)
    form, status, headers = form_error(request, exc, fields=fields, values=values, aliases=aliases)
    state = CasePageState(forms={form_name: form})
    return case_page(request, rt, auth, case_id, state, status_code=status, headers=headers)


@router.get("/{case_id}")
def case_detail(case_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep) -> Response:
    return case_page(request, rt, auth, case_id[:CASE_ID_MAX], record_view=True)


def _draft_tools(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    case_id: str,
    do: str,
    values: dict[str, str],
    article: str,
) -> Response:
    """Expand `/shortcuts`, search the knowledge base or insert an article into the draft;
    the page comes back with the draft changed and nothing sent."""
    actor = actor_of(auth)
    state = CasePageState()
    if do == "expand":
        done = macros.expand(rt, actor, case_id, values["body"])
        values["body"] = done.text[:DRAFT_MAX]
        state.expanded = done
    elif do == "kb_search":
        state.kb_hits = kb_search.search_articles(
            rt, values["kb_q"], page_locale(request), limit=KB_HITS
        )
    else:
        found = macros.insert_article(rt, actor, case_id, article_id=text(article, 64))
        draft = values["body"].rstrip()
        joined = f"{draft}\n\n{found.snippet}" if draft else found.snippet
        values["body"] = joined[:DRAFT_MAX]
    state.forms["reply"] = FormState(values=values)
    return case_page(request, rt, auth, case_id, state)


@router.post("/{case_id}/reply")
def reply(
    case_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    body: FormText = "",
    version: FormText = "",
    do: FormText = "send",
    kb_q: FormText = "",
    article: FormText = "",
    conversation: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {
        "body": text(body, DRAFT_MAX),
        "kb_q": text(kb_q, 200),
        "conversation": text(conversation, CASE_ID_MAX),
    }
    if article:
        do = "insert"  # an "Insert" button of the article list was pressed
    try:
        if do in ("expand", "kb_search", "insert"):
            return _draft_tools(request, rt, auth, case_id, do, values, article)
        casework.agent_reply(
            rt,
            actor_of(auth),
            case_id,
            text=values["body"],
            visibility=Visibility.PUBLIC,
            # Empty: the latest conversation people have (the service's default).
            conversation_id=values["conversation"] or None,
            expected_version=parse_version(version),
        )
    except DomainError as exc:
        return failed_page(
            request,
            rt,
            auth,
            case_id,
            exc,
            "reply",
            values,
            ("body", "conversation"),
            {"text": "body", "conversation_id": "conversation"},
        )
    return redirect(request, case_url(case_id), flash="console_replied")


@router.post("/{case_id}/note")
def add_note(
    case_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    note: FormText = "",
    version: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"note": text(note, DRAFT_MAX)}
    try:
        notes.add_note(
            rt,
            actor_of(auth),
            case_id,
            text=values["note"],
            expected_version=parse_version(version),
        )
    except DomainError as exc:
        return failed_page(
            request, rt, auth, case_id, exc, "note", values, ("note",), {"text": "note"}
        )
    return redirect(request, case_url(case_id), flash="console_noted")


@router.post("/{case_id}/status")
def change_status(
    case_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    status: FormText = "",
    version: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"status": text(status, 32)}
    try:
        casework.change_status(
            rt,
            actor_of(auth),
            case_id,
            values["status"],
            expected_version=parse_version(version),
        )
    except DomainError as exc:
        return failed_page(request, rt, auth, case_id, exc, "status", values, ("status",))
    return redirect(request, case_url(case_id), flash="console_status")


@router.post("/{case_id}/priority")
def change_priority(
    case_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    priority: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"priority": text(priority, 16)}
    try:
        try:
            chosen = Priority(values["priority"])
        except ValueError:
            raise ValidationFailed(
                "invalid_priority", N_("Choose a priority from the list."), field="priority"
            ) from None
        casework.change_priority(rt, actor_of(auth), case_id, chosen)
    except DomainError as exc:
        return failed_page(request, rt, auth, case_id, exc, "priority", values, ("priority",))
    return redirect(request, case_url(case_id), flash="console_priority")


@router.post("/{case_id}/take")
def take(case_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep) -> Response:
    """Assign the case to oneself (a supervisor reassigns others through the API)."""
    case_id = case_id[:CASE_ID_MAX]
    casework.assign(rt, actor_of(auth), case_id, auth.user.id)
    return redirect(request, case_url(case_id), flash="console_taken")


@router.post("/{case_id}/accept")
def accept(case_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep) -> Response:
    """Accept the case routing offered: it stays this agent's (no re-offer when the offer
    lapses or they go offline)."""
    case_id = case_id[:CASE_ID_MAX]
    routing_work.accept_offer(rt, actor_of(auth), case_id)
    return redirect(request, case_url(case_id), flash="console_accepted")


@router.post("/{case_id}/give-back")
def give_back(case_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    casework.assign(rt, actor_of(auth), case_id, None)
    return redirect(request, case_url(case_id), flash="console_given_back")


@router.post("/{case_id}/viewing")
def still_viewing(case_id: str, auth: ConsoleAgent, rt: RuntimeDep) -> JSONResponse:
    """The page's script says "still here" every half TTL and gets who else is viewing."""
    found = viewers.record_view(rt, actor_of(auth), case_id[:CASE_ID_MAX])
    return JSONResponse(
        {
            "ttl_seconds": int(viewers.VIEW_TTL.total_seconds()),
            "viewers": [{"name": v.name or "", "me": v.me} for v in found],
        },
        headers={"Cache-Control": "no-store"},
    )
