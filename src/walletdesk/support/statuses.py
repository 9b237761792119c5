"""Case statuses: seven fixed categories, custom labels mapped onto them, and the rules of
moving between them.

Every case is in exactly one category. Teams may name finer states ("waiting for the bank")
as labels; a label always belongs to one category, and the category alone decides what the
status means: whether the SLA clock runs, which moves are allowed, and what the customer is
told. Customers never see a label, only the category's sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_, Text
from walletdesk.support.errors import CaseIsClosed


class Category(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    PENDING_INTERNAL = "pending_internal"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


SLA_CLOCK_RUNS: dict[Category, bool] = {
    Category.NEW: True,
    Category.OPEN: True,
    Category.PENDING_CUSTOMER: False,  # the customer owes us an answer
    Category.PENDING_INTERNAL: True,  # another team of ours owes one: still our time
    Category.ON_HOLD: False,  # a third party (a bank, the police) owes one
    Category.SOLVED: False,
    Category.CLOSED: False,
}
"""Whether the SLA clock runs while a case is in the category."""

_WORKING = frozenset(
    {Category.OPEN, Category.PENDING_CUSTOMER, Category.PENDING_INTERNAL, Category.ON_HOLD}
)
ALLOWED_MOVES: dict[Category, frozenset[Category]] = {
    Category.NEW: _WORKING | {Category.SOLVED},
    Category.OPEN: _WORKING | {Category.SOLVED},
    Category.PENDING_CUSTOMER: _WORKING | {Category.SOLVED},
    Category.PENDING_INTERNAL: _WORKING | {Category.SOLVED},
    Category.ON_HOLD: _WORKING | {Category.SOLVED},
    Category.SOLVED: frozenset({Category.OPEN, Category.CLOSED}),
    Category.CLOSED: frozenset(),
}
"""Where each category may go. Nothing returns to new; closed is final; a solved case
reopens (to open) or closes. Moving to another label of the same category is allowed
everywhere but in closed."""

STAFF_NAMES: dict[Category, str] = {
    Category.NEW: N_("New"),
    Category.OPEN: N_("Open"),
    Category.PENDING_CUSTOMER: N_("Waiting for the customer"),
    Category.PENDING_INTERNAL: N_("Waiting for another team"),
    Category.ON_HOLD: N_("On hold"),
    Category.SOLVED: N_("Solved"),
    Category.CLOSED: N_("Closed"),
}

CUSTOMER_SENTENCES: dict[Category, str] = {
    Category.NEW: N_("We have received your request."),
    Category.OPEN: N_("We are working on your request."),
    Category.PENDING_CUSTOMER: N_("We are waiting for your reply."),
    Category.PENDING_INTERNAL: N_("We are checking with another team."),
    Category.ON_HOLD: N_("We are waiting for a third party, such as your bank."),
    Category.SOLVED: N_("Solved. Reply if you still need help."),
    Category.CLOSED: N_("Closed."),
}


@dataclass(frozen=True)
class Status:
    category: Category
    label: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"category": self.category.value, "label": self.label}


@dataclass(frozen=True)
class StatusLabel:
    """A team's own name for a status, mapped onto one category."""

    key: str
    category: str
    name_zh: str
    name_en: str
    created_at: datetime
    created_by: str | None = None

    def name(self, locale: str) -> str:
        return self.name_zh if locale.lower().startswith("zh") else self.name_en


def check_move(before: Status, after: Status) -> None:
    """Raise unless a case may go from `before` to `after`."""
    if before.category is Category.CLOSED:
        raise CaseIsClosed()
    same_category = before.category is after.category
    if same_category and before.label != after.label:
        return
    if after.category not in ALLOWED_MOVES[before.category]:
        raise Conflict(
            "invalid_transition",
            N_("A case cannot go from {before} to {after}."),
            before=Text(STAFF_NAMES[before.category]),
            after=Text(STAFF_NAMES[after.category]),
        )


def parse_category(text: str) -> Category | None:
    try:
        return Category(text)
    except ValueError:
        return None


def unknown_status() -> ValidationFailed:
    return ValidationFailed(
        "unknown_status",
        N_("Unknown status. Use a status category or a label your team defined."),
        field="status",
    )


def check_label_key(key: str) -> str:
    cleaned = key.strip().lower()
    if (
        not 2 <= len(cleaned) <= 32
        or not cleaned.replace("_", "").isalnum()
        or not cleaned.isascii()
        or parse_category(cleaned) is not None
    ):
        raise ValidationFailed(
            "invalid_label_key",
            N_("A label key is 2 to 32 lowercase letters, digits or underscores, not a category."),
            field="key",
        )
    return cleaned
