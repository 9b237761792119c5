"""Help articles are written in Markdown; pages show them as HTML.

markdown-it-py (CommonMark, with tables) with raw HTML turned off: whatever an editor types
is escaped, and link targets with a script scheme (`javascript:`, `data:`) are not made into
links, so an article can never carry script into the page.
"""

from __future__ import annotations

from typing import Final

from markdown_it import MarkdownIt
from markupsafe import Markup

_RENDERER: Final = MarkdownIt("commonmark", {"html": False}).enable("table")


def article_html(markdown: str) -> Markup:
    return Markup(_RENDERER.render(markdown))  # noqa: S704 - raw HTML is off, see above
