"""/chat-widget/...: the same-origin JSON routes behind the chat widget on the wallet and help
pages.

The API authenticates with bearer tokens; a page only has its `wd_session` cookie. These
routes accept that cookie (browser sessions only) and, for every post, the page's CSRF token
as the `csrf_token` form field (`web/csrf.py`), then call the same services as
`/api/v1/conversations`, `/api/v1/bot/...` and `/api/v1/cases/{id}/rating`. Live updates come
from the conversation's socket (`/api/v1/conversations/{id}/ws`), opened with a single-use
ticket from `POST /chat-widget/conversations/{id}/ticket`.

Errors are JSON here, as on the API (`{"error": {"code", "message", "request_id"}}`, in the
page's language), never the HTML error page: the widget's script shows the message.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from walletdesk.api.access import access_rule
from walletdesk.api.deps import RuntimeDep
from walletdesk.api.errors import INVALID_REQUEST, domain_error_response
from walletdesk.bot import dialogue_actions
from walletdesk.errors import AuthenticationFailed, DomainError, ValidationFailed
from walletdesk.identity.authentication import Authenticated
from walletdesk.support import conversations, csat, realtime_hours
from walletdesk.support.access import SupportActor
from walletdesk.support.realtime_tickets import issue_ticket
from walletdesk.web.chat_widget_view import chat_state
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import current_page_user

TEXT_MAX: Final = 4000
ID_MAX: Final = 64
CURSOR_MAX: Final = 2**62


class WidgetRoute(APIRoute):
    """Domain errors and invalid input answered as JSON in the page's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            request.state.locale = page_locale(request)
            try:
                return await handler(request)
            except DomainError as exc:
                return _no_store(domain_error_response(request, exc))
            except RequestValidationError:
                invalid = ValidationFailed("invalid_request", INVALID_REQUEST)
                return _no_store(domain_error_response(request, invalid))

        return answer


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@access_rule("authenticated_page")
def widget_user(rt: RuntimeDep, request: Request) -> Authenticated:
    """The signed-in browser session; a JSON 401 (not a redirect) when there is none."""
    actor = current_page_user(rt, request)
    if actor is None:
        raise AuthenticationFailed()
    return actor


@access_rule("public")
def anyone() -> None:
    """Signed in or not: the agents' hours are public."""


WidgetUser = Annotated[Authenticated, Depends(widget_user)]
ConversationId = Annotated[str, Path(max_length=ID_MAX)]
Text = Annotated[str, Form(max_length=TEXT_MAX)]
After = Annotated[int, Form(ge=0, le=CURSOR_MAX)]

router = APIRouter(
    prefix="/chat-widget",
    dependencies=[Depends(csrf_protected)],
    include_in_schema=False,
    route_class=WidgetRoute,
)


def _json(body: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers={"Cache-Control": "no-store"})


def _state(
    rt: RuntimeDep, auth: Authenticated, request: Request, conversation_id: str, after: int
) -> JSONResponse:
    return _json(chat_state(rt, auth, conversation_id, after=after, locale=page_locale(request)))


@router.get("/hours", dependencies=[Depends(anyone)])
def hours(rt: RuntimeDep, request: Request) -> JSONResponse:
    found = realtime_hours.agent_hours(rt)
    return _json(
        {"humans_online": found.humans_online, "text": found.sentence(page_locale(request))}
    )


@router.post("/conversations")
def start(rt: RuntimeDep, auth: WidgetUser, request: Request, text: Text) -> JSONResponse:
    posted = conversations.start_chat(rt, auth, text=text)
    body = chat_state(rt, auth, posted.conversation.id, after=0, locale=page_locale(request))
    return _json(body, status_code=201)


@router.get("/conversations/{conversation_id}")
def show(
    conversation_id: ConversationId,
    rt: RuntimeDep,
    auth: WidgetUser,
    request: Request,
    after: Annotated[int, Query(ge=0, le=CURSOR_MAX)] = 0,
) -> JSONResponse:
    return _state(rt, auth, request, conversation_id, after)


@router.post("/conversations/{conversation_id}/messages")
def post_message(
    conversation_id: ConversationId,
    rt: RuntimeDep,
    auth: WidgetUser,
    request: Request,
    text: Text,
    after: After = 0,
) -> JSONResponse:
    posted = conversations.post_customer_message(rt, auth, conversation_id, text=text)
    # A message after a closed case starts a follow-up in a new conversation: show that one.
    moved = posted.conversation.id != conversation_id
    return _state(rt, auth, request, posted.conversation.id, 0 if moved else after)


@router.post("/conversations/{conversation_id}/handoff")
def handoff(
    conversation_id: ConversationId,
    rt: RuntimeDep,
    auth: WidgetUser,
    request: Request,
    after: After = 0,
) -> JSONResponse:
    realtime_hours.ask_for_human(
        rt, SupportActor.customer(auth), conversation_id, reason="customer_asked"
    )
    return _state(rt, auth, request, conversation_id, after)


@router.post("/conversations/{conversation_id}/confirm")
def confirm(
    conversation_id: ConversationId,
    rt: RuntimeDep,
    auth: WidgetUser,
    request: Request,
    tool: Annotated[str, Form(max_length=40)],
    after: After = 0,
) -> JSONResponse:
    dialogue_actions.confirm(rt, auth, conversation_id, tool)
    return _state(rt, auth, request, conversation_id, after)


@router.post("/conversations/{conversation_id}/answers/{message_id}/feedback")
def feedback(
    conversation_id: ConversationId,
    message_id: Annotated[int, Path(ge=1, le=CURSOR_MAX)],
    rt: RuntimeDep,
    auth: WidgetUser,
    helpful: Annotated[bool, Form()],
) -> JSONResponse:
    dialogue_actions.rate_answer(rt, auth, conversation_id, message_id, helpful=helpful)
    return _json({"message_id": message_id, "helpful": helpful})


@router.post("/conversations/{conversation_id}/ticket")
def socket_ticket(
    conversation_id: ConversationId, rt: RuntimeDep, auth: WidgetUser
) -> JSONResponse:
    """A single-use ticket (60 s) for this browser session's socket on the conversation;
    the socket itself checks the conversation's door."""
    ticket = issue_ticket(rt, auth)
    return _json(
        {
            "path": f"/api/v1/conversations/{conversation_id}/ws",
            "ticket": ticket.value,
        }
    )


@router.post("/cases/{case_id}/rating")
def rate(
    case_id: Annotated[str, Path(max_length=ID_MAX)],
    rt: RuntimeDep,
    auth: WidgetUser,
    score: Annotated[int, Form(ge=1, le=5)],
    comment: Annotated[str, Form(max_length=csat.COMMENT_MAX)] = "",
) -> JSONResponse:
    survey = csat.rate(rt, SupportActor.customer(auth), case_id, score=score, comment=comment)
    return _json({"case_id": case_id, "score": survey.score})
