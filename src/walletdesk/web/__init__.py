"""Server-rendered pages (Jinja2) for the wallet app, help centre and consoles."""

from __future__ import annotations

from fastapi import FastAPI


def install_web(app: FastAPI) -> None:
    """Mount the pages and static files; filled in by the pages module."""
    from walletdesk.web.pages import install

    install(app)
