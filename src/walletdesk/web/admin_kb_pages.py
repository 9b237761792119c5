"""The knowledge-base editor (/console/admin/kb): every article (drafts and staff-only ones
too), a new article, an edit saved as a new draft version, a preview before saving, any
version shown as readers would see it, publishing a version and taking the article off the
help centre. Needs `kb.manage`; `support/kb.py` checks the content and writes the audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import kb, kb_reading
from walletdesk.web.admin_pages import KbManager, admin_render, audit_actor, multiline
from walletdesk.web.console_view import form_error
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.help_markdown import article_html

router = APIRouter(
    prefix="/console/admin/kb", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

CONTENT_FIELDS: Final = (
    "category",
    "audience",
    "title_zh",
    "title_en",
    "body_zh",
    "body_en",
    "keywords_zh",
    "keywords_en",
    "note",
)
_LIMITS: Final = {"title_zh": 300, "title_en": 300, "keywords_zh": 500, "keywords_en": 500}
AUDIENCE_NAMES: Final = {
    kb.Audience.PUBLIC.value: N_("Everyone (help centre)"),
    kb.Audience.INTERNAL.value: N_("Staff only"),
}
KEY_MAX: Final = 80


def _article_url(article_id: str) -> str:
    return f"/console/admin/kb/{article_id}"


def _content(values: dict[str, str]) -> kb.ArticleContent:
    """The form as the service takes it; the service checks every field."""
    try:
        audience = kb.Audience(values["audience"])
    except ValueError:
        raise ValidationFailed(
            "invalid_audience", N_("Choose who may read the article."), field="audience"
        ) from None
    return kb.ArticleContent(
        category=values["category"],
        audience=audience,
        title_zh=values["title_zh"],
        title_en=values["title_en"],
        body_zh=values["body_zh"],
        body_en=values["body_en"],
        keywords_zh=values["keywords_zh"],
        keywords_en=values["keywords_en"],
        note=values["note"] or None,
    )


def _names() -> dict[str, object]:
    return {
        "categories": kb.CATEGORIES,
        "category_names": {c.key: c.name for c in kb.CATEGORIES},
        "audience_names": AUDIENCE_NAMES,
    }


@router.get("")
def articles(request: Request, auth: KbManager, rt: RuntimeDep) -> Response:
    found = sorted(kb_reading.staff_articles(rt), key=lambda pair: pair[0].updated_at, reverse=True)
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/kb.html",
        {"articles": found, **_names()},
        admin_section="kb",
    )


def _editor_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    form: FormState,
    *,
    article: kb.Article | None,
    preview: bool = False,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The editor: a new article when `article` is None, else a new version of it."""
    values = form.values
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/kb_edit.html",
        {
            "form": form,
            "article": article,
            "preview": {
                "zh": article_html(values.get("body_zh", "")),
                "en": article_html(values.get("body_en", "")),
            }
            if preview
            else None,
            "action": _article_url(article.id) + "/versions" if article else "/console/admin/kb",
            **_names(),
            "page_path": _article_url(article.id) + "/edit" if article else "/console/admin/kb/new",
        },
        admin_section="kb",
        status_code=status_code,
        headers=headers,
    )


def _article_form(
    category: FormText = "",
    audience: FormText = "",
    title_zh: FormText = "",
    title_en: FormText = "",
    body_zh: FormText = "",
    body_en: FormText = "",
    keywords_zh: FormText = "",
    keywords_en: FormText = "",
    note: FormText = "",
) -> dict[str, str]:
    """The content fields of the editor form, cut to their limits (the same for a new
    article and a new version)."""
    fields = locals()
    return {
        name: multiline(fields[name], _LIMITS.get(name, kb.BODY_MAX)) for name in CONTENT_FIELDS
    }


ArticleForm = Annotated[dict[str, str], Depends(_article_form)]


def _save(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    values: dict[str, str],
    *,
    do: str,
    article: kb.Article | None,
    save: Callable[[], kb.Article],
    flash: str,
) -> Response:
    """Preview (`do=preview`) or save with `save`; a refusal shows the editor again with the
    message beside its field and what was typed."""
    if do == "preview":
        return _editor_page(
            request, rt, auth, FormState(values=values), article=article, preview=True
        )
    try:
        saved = save()
    except DomainError as exc:
        form, status, headers = form_error(request, exc, fields=tuple(values), values=values)
        return _editor_page(
            request, rt, auth, form, article=article, status_code=status, headers=headers
        )
    return redirect(request, _article_url(saved.id), flash=flash)


@router.get("/new")
def new_article(request: Request, auth: KbManager, rt: RuntimeDep) -> Response:
    blank = FormState(values={"audience": kb.Audience.PUBLIC.value})
    return _editor_page(request, rt, auth, blank, article=None)


@router.post("")
def create_article(
    request: Request,
    auth: KbManager,
    rt: RuntimeDep,
    content: ArticleForm,
    slug: FormText = "",
    do: FormText = "",
) -> Response:
    """Save the first version as a draft, or (`do=preview`) show it without saving."""
    values = {"slug": text(slug, 100), **content}

    def save() -> kb.Article:
        article, _ = kb.create_article(
            rt, audit_actor(request, auth), slug=values["slug"], content=_content(values)
        )
        return article

    return _save(
        request, rt, auth, values, do=do, article=None, save=save, flash="admin_kb_created"
    )


def _detail_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    key: str,
    *,
    form: FormState | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    detail = kb_reading.staff_article(rt, key)
    versions = sorted(detail.versions, key=lambda v: v.version, reverse=True)
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/kb_article.html",
        {
            "detail": detail,
            "article": detail.article,
            "versions": versions,
            "latest": versions[0],
            "form": form or FormState(),
            **_names(),
            "page_path": _article_url(detail.article.id),
        },
        admin_section="kb",
        status_code=status_code,
        headers=headers,
    )


@router.get("/{key}")
def article(key: str, request: Request, auth: KbManager, rt: RuntimeDep) -> Response:
    return _detail_page(request, rt, auth, key[:KEY_MAX])


@router.get("/{key}/edit")
def edit_article(key: str, request: Request, auth: KbManager, rt: RuntimeDep) -> Response:
    """The editor starts from the latest version (the newest draft, or the published one)."""
    detail = kb_reading.staff_article(rt, key[:KEY_MAX])
    latest = max(detail.versions, key=lambda v: v.version)
    values = {name: str(getattr(latest, name) or "") for name in CONTENT_FIELDS}
    values["note"] = ""
    return _editor_page(request, rt, auth, FormState(values=values), article=detail.article)


@router.post("/{key}/versions")
def add_version(
    key: str,
    request: Request,
    auth: KbManager,
    rt: RuntimeDep,
    content: ArticleForm,
    do: FormText = "",
) -> Response:
    """A new draft version (the published one stays until this one is published)."""
    found = kb_reading.staff_article(rt, key[:KEY_MAX]).article

    def save() -> kb.Article:
        kb.add_version(rt, audit_actor(request, auth), found.id, _content(content))
        return found

    return _save(
        request, rt, auth, content, do=do, article=found, save=save, flash="admin_kb_saved"
    )


@router.get("/{key}/versions/{number}")
def version(key: str, number: int, request: Request, auth: KbManager, rt: RuntimeDep) -> Response:
    """One version shown as readers would see it, in both languages."""
    detail = kb_reading.staff_article(rt, key[:KEY_MAX])
    shown = next((v for v in detail.versions if v.version == number), None)
    if shown is None:
        raise kb.ArticleNotFound()
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/kb_version.html",
        {
            "article": detail.article,
            "shown": shown,
            "html": {"zh": article_html(shown.body_zh), "en": article_html(shown.body_en)},
            **_names(),
        },
        admin_section="kb",
    )


@router.post("/{key}/publish")
def publish(
    key: str, request: Request, auth: KbManager, rt: RuntimeDep, version: FormText = ""
) -> Response:
    key = key[:KEY_MAX]
    chosen = text(version, 12).strip()
    try:
        if chosen and not chosen.isdigit():
            raise ValidationFailed("unknown_version", field="version")
        done = kb.publish(rt, audit_actor(request, auth), key, int(chosen) if chosen else None)
    except DomainError as exc:
        form, status, headers = form_error(request, exc, fields=(), values={})
        return _detail_page(request, rt, auth, key, form=form, status_code=status, headers=headers)
    return redirect(request, _article_url(done.id), flash="admin_kb_published")


@router.post("/{key}/unpublish")
def unpublish(key: str, request: Request, auth: KbManager, rt: RuntimeDep) -> Response:
    done = kb.unpublish(rt, audit_actor(request, auth), key[:KEY_MAX])
    return redirect(request, _article_url(done.id), flash="admin_kb_unpublished")
