"""The help centre's articles (帮助中心): the home page with every category, search in Chinese
and English, a category's articles, an article and "was this helpful?". No sign-in needed."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.runtime import Runtime
from walletdesk.support import kb, kb_reading
from walletdesk.support.kb_search import search_articles
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.help_markdown import article_html
from walletdesk.web.help_view import (
    PUBLIC_CATEGORIES,
    blank_form,
    help_failure,
    help_render,
    is_public_category,
)
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import MaybePageUser, PageContext

router = APIRouter(prefix="/help", dependencies=[Depends(csrf_protected)], include_in_schema=False)

QUERY_MAX: Final = 200
RESULTS: Final = 20
RELATED: Final = 5
_FEEDBACK_FIELDS: Final = ("helpful", "comment")


def _grouped(rt: Runtime, category: str | None = None) -> dict[str, list[kb.Published]]:
    """Published public articles by category, in the help centre's category order."""
    grouped: dict[str, list[kb.Published]] = {c.key: [] for c in PUBLIC_CATEGORIES}
    for found in kb_reading.list_articles(rt, category=category):
        grouped.setdefault(found.version.category, []).append(found)
    return grouped


@router.get("")
def help_home(request: Request, user: MaybePageUser, rt: RuntimeDep) -> Response:
    return help_render(request, "help/home.html", {"grouped": _grouped(rt), "query": ""})


@router.get("/search")
def help_search(
    request: Request, user: MaybePageUser, rt: RuntimeDep, q: str = "", category: str = ""
) -> Response:
    """Results for what was typed, in the page's language (a Chinese query on the English
    page is answered from the Chinese text, titles still in English)."""
    query = text(q, QUERY_MAX).strip()
    chosen = category if is_public_category(category) else None
    hits = (
        search_articles(rt, query, page_locale(request), category=chosen, limit=RESULTS)
        if query
        else []
    )
    return help_render(
        request,
        "help/search.html",
        {"query": query, "hits": hits, "category": chosen or ""},
    )


@router.get("/categories/{key}")
def help_category(key: str, request: Request, user: MaybePageUser, rt: RuntimeDep) -> Response:
    if not is_public_category(key):
        raise NotFound("help_category_not_found", N_("We could not find this help category."))
    articles = _grouped(rt, key).get(key, [])
    return help_render(
        request, "help/category.html", {"key": key, "articles": articles, "query": ""}
    )


def _article_page(
    request: Request,
    rt: Runtime,
    found: kb.Published,
    form: FormState,
    exc: DomainError | None = None,
) -> Response:
    locale = page_locale(request)
    version = found.version
    related = [
        other
        for other in kb_reading.list_articles(rt, category=version.category)
        if other.article.id != found.article.id
    ][:RELATED]
    context = {
        "article": found,
        "title": version.title(locale),
        "body": article_html(version.body(locale)),
        "related": related,
        "comment_max": kb.COMMENT_MAX,
        "query": "",
    }
    if exc is None:
        return help_render(request, "help/article.html", {**context, "form": form})
    return help_failure(
        request,
        exc,
        "help/article.html",
        context,
        fields=_FEEDBACK_FIELDS,
        values=form.values,
    )


@router.get("/articles/{key}")
def help_article(key: str, request: Request, user: MaybePageUser, rt: RuntimeDep) -> Response:
    """A published public article, by slug (or id); drafts and agents' guides are not found."""
    return _article_page(request, rt, kb_reading.read_article(rt, key), blank_form())


def _helpful(choice: str) -> bool:
    if choice == "yes":
        return True
    if choice == "no":
        return False
    raise ValidationFailed(
        "feedback_choice_missing",
        N_("Choose whether this article helped you."),
        field="helpful",
    )


@router.post("/articles/{key}/feedback")
def give_feedback(
    key: str,
    request: Request,
    user: MaybePageUser,
    rt: RuntimeDep,
    ctx: PageContext,
    helpful: FormText = "",
    comment: FormText = "",
) -> Response:
    found = kb_reading.read_article(rt, key)
    # The comment is kept whole for the form; the service takes at most COMMENT_MAX.
    values = {"helpful": text(helpful, 8), "comment": text(comment, kb.COMMENT_MAX * 2)}
    try:
        if len(values["comment"].strip()) > kb.COMMENT_MAX:
            raise ValidationFailed(
                "feedback_comment_too_long",
                N_("Please keep your comment to {limit} characters."),
                field="comment",
                limit=kb.COMMENT_MAX,
            )
        kb_reading.give_feedback(
            rt,
            found.article.id,
            helpful=_helpful(values["helpful"]),
            comment=values["comment"],
            locale=page_locale(request),
            ip=ctx.ip,
        )
    except DomainError as exc:
        return _article_page(request, rt, found, blank_form(values), exc)
    return redirect(request, f"/help/articles/{found.article.slug}", flash="feedback_thanks")
