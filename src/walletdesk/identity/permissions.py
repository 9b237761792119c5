"""Staff roles and the one permission matrix. Routes declare the permission they need;
nothing else decides who may do what."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SENIOR_AGENT = "senior_agent"
    RISK_REVIEWER = "risk_reviewer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    CUSTOMER_READ = "customer.read"
    """See a customer's profile, masked."""
    CUSTOMER_REVEAL = "customer.reveal"
    """Reveal a masked field, with a reason; the reveal is audited."""
    STAFF_READ = "staff.read"
    STAFF_MANAGE = "staff.manage"
    """Create staff and grant or revoke roles."""
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    COUPONS_MANAGE = "coupons.manage"
    """Create coupon campaigns and issue coupons (the platform pays for them)."""
    FX_MANAGE = "fx.manage"
    """Set exchange rates and spreads (admin only); every change is audited."""
    CONFIG_MANAGE = "config.manage"
    """Change SLA policies, business hours and holidays, limits and the fee schedule (admin
    only); every change is audited."""
    CASES_WORK = "cases.work"
    """See and work support cases: reply, add notes, change status, take a case."""
    CASES_SUPERVISE = "cases.supervise"
    """Assign and reassign cases to other staff."""
    CASES_APPROVE = "cases.approve"
    """Approve (or reject) another person's proposed case action: a refund, a reversal, a
    fee waiver, releasing a hold, unfreezing, unlocking, raising a limit. Never one's own."""
    MACROS_MANAGE = "support.macros.manage"
    """Create, change and retire the support desk's macros (canned replies)."""
    KB_MANAGE = "kb.manage"
    """Write, publish and withdraw knowledge-base articles (audited)."""
    RISK_READ = "risk.read"
    """See risk decisions (score, rule hits, reasons) about a customer or a movement."""
    RISK_LISTS_MANAGE = "risk.lists.manage"
    """Add to and remove from the block lists; snooze a rule for one customer."""
    RISK_RULES_MANAGE = "risk.rules.manage"
    """Change the risk rule set or roll it back (supervisors)."""
    RISK_REVIEW = "risk.review"
    """Work the risk review queue: take the next case, approve, decline, freeze, unfreeze
    (with a second approver), ask the customer, escalate, close with a label."""
    RISK_REVIEW_ESCALATED = "risk.review.escalated"
    """Decide a risk review case that a reviewer escalated (supervisors)."""


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset({Permission.CUSTOMER_READ, Permission.RISK_READ, Permission.CASES_WORK}),
    Role.SENIOR_AGENT: frozenset(
        {
            Permission.CUSTOMER_READ,
            Permission.CUSTOMER_REVEAL,
            Permission.RISK_READ,
            Permission.CASES_WORK,
            Permission.CASES_APPROVE,
        }
    ),
    Role.RISK_REVIEWER: frozenset(
        {
            Permission.CUSTOMER_READ,
            Permission.CUSTOMER_REVEAL,
            Permission.RISK_READ,
            Permission.RISK_LISTS_MANAGE,
            Permission.RISK_REVIEW,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.CUSTOMER_READ,
            Permission.CUSTOMER_REVEAL,
            Permission.STAFF_READ,
            Permission.AUDIT_READ,
            Permission.RISK_READ,
            Permission.RISK_LISTS_MANAGE,
            Permission.RISK_RULES_MANAGE,
            Permission.RISK_REVIEW,
            Permission.RISK_REVIEW_ESCALATED,
            Permission.CASES_WORK,
            Permission.CASES_SUPERVISE,
            Permission.CASES_APPROVE,
            Permission.MACROS_MANAGE,
            Permission.KB_MANAGE,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


def permissions_of(roles: frozenset[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        if role in Role.__members__.values():
            granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)


def has_permission(roles: frozenset[str], permission: Permission) -> bool:
    return permission in permissions_of(roles)
