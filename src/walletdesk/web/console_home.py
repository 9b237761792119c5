"""Where a staff member's console starts: the first console page their permissions open.

Signing in sends staff there (`auth_pages`), and the console's "g i" shortcut goes there
(console/layout.html puts it in `data-home` for static/console.js): an agent's is the support
inbox, a risk reviewer's (who may not open the inbox) the risk review queue.
"""

from __future__ import annotations

from typing import Final

from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.web.rendering import ENVIRONMENT

CONSOLE_PAGES: Final = (
    (Permission.CASES_WORK, "/console"),
    (Permission.RISK_REVIEW, "/console/risk"),
    (Permission.CASES_SUPERVISE, "/console/dashboard"),
)
"""The console's front pages in the order a person who may open several starts from, with
the permission each page's guard asks for. (Everyone who may administer also works cases
today, so the admin section is never anyone's first page.)"""

FRONT_DOORS: Final = frozenset({"/", "/console"})
"""Where sign-in goes when the person named no page of their own: the site's home, and the
console's own front page (which is the agents' inbox, refused to a reviewer)."""


def console_home(roles: frozenset[str]) -> str | None:
    """The first console page `roles` may open, or None for someone who is not staff."""
    for permission, path in CONSOLE_PAGES:
        if has_permission(roles, permission):
            return path
    return None


def after_sign_in(target: str, roles: frozenset[str]) -> str:
    """Where to go once signed in: staff headed for a front door go to their console home;
    everyone else (and staff who asked for a page) where they were going."""
    home = console_home(roles)
    return home if home is not None and target in FRONT_DOORS else target


# The console frame reads it for the "g i" shortcut (console/layout.html).
ENVIRONMENT.globals["console_home"] = console_home
