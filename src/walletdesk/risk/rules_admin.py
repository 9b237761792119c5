"""Stored rule-set versions: the active one, saving a new one, rolling back, diffs.

Versions only grow and are never edited: the active rule set is the latest version, and a
rollback stores the earlier file again as a new version (`based_on` names it), so every decision's
`rule_set_version` keeps meaning exactly the rules that made it. Until a supervisor stores one,
version 0 — the packaged `default_rules.yaml` — is in force. Every change needs the
`risk.rules.manage` permission (supervisors) and is written to the audit log.
"""

from __future__ import annotations

import difflib
import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.access import check_permission
from walletdesk.identity.permissions import Permission
from walletdesk.risk.records import RuleSetVersion
from walletdesk.risk.rulefile import RuleFileRefused
from walletdesk.risk.ruleset import RuleSet, default_rules_source

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

DEFAULT_VERSION = 0
PACKAGED_AT = datetime(2026, 1, 1, tzinfo=UTC)
"""Shown as the creation time of version 0, which has no author."""
COMMENT_MAX = 500
_CACHE_SIZE = 16
_compiled: dict[str, RuleSet] = {}
_compiled_lock = threading.Lock()


def compiled(source: str, sha256: str | None = None) -> RuleSet:
    """Compile once per distinct file (stored versions never change, so their hash is a
    safe key); the cache keeps the few most recent."""
    key = sha256 or hashlib.sha256(source.encode("utf-8")).hexdigest()
    with _compiled_lock:
        found = _compiled.get(key)
    if found is not None:
        return found
    rules = RuleSet.compile(source)
    with _compiled_lock:
        if len(_compiled) >= _CACHE_SIZE:
            _compiled.pop(next(iter(_compiled)))
        _compiled[rules.sha256] = rules
    return rules


@cache
def default_rule_set() -> RuleSet:
    """The packaged rules (version 0), read and compiled once per process: the file is part
    of the installed package and does not change while it runs."""
    return compiled(default_rules_source())


def active_rule_set(uow: UnitOfWork) -> tuple[int, RuleSet]:
    """(version, compiled rules) in force now: the latest stored version, else version 0."""
    return rule_set_for(uow, uow.risk.latest_rule_set_head())


def rule_set_for(uow: UnitOfWork, head: tuple[int, str] | None) -> tuple[int, RuleSet]:
    """The compiled rules of the stored head (version, sha256), read and compiled only the
    first time this process meets that file; version 0 when nothing is stored."""
    if head is None:
        return DEFAULT_VERSION, default_rule_set()
    version, sha256 = head
    with _compiled_lock:
        found = _compiled.get(sha256)
    if found is not None:
        return version, found
    stored = uow.risk.rule_set(version)
    assert stored is not None
    return version, compiled(stored.source, stored.sha256)


def _version_text(uow: UnitOfWork, version: int) -> RuleSetVersion:
    if version == DEFAULT_VERSION:
        rules = default_rule_set()
        return RuleSetVersion(
            version=DEFAULT_VERSION,
            source=rules.source,
            sha256=rules.sha256,
            rule_count=len(rules.rules),
            comment="walletdesk default rules",
            created_at=PACKAGED_AT,
            created_by=None,
        )
    stored = uow.risk.rule_set(version)
    if stored is None:
        raise NotFound(
            "rule_set_not_found", N_("There is no rule set version {version}."), version=version
        )
    return stored


def _check_comment(comment: str) -> str:
    text = comment.strip()
    if not text or len(text) > COMMENT_MAX:
        raise ValidationFailed(
            "rule_change_comment",
            N_("Say in a few words why the rules change (at most {max} characters)."),
            field="comment",
            max=COMMENT_MAX,
        )
    return text


def _check_versions_raised(new: RuleSet, current: RuleSet) -> None:
    """A rule whose behaviour changes must carry a higher version number, so a rule hit's
    (id, version) always names one behaviour."""
    before = current.by_id()
    for rule in new.rules:
        old = before.get(rule.id)
        if old is not None and old.canonical != rule.canonical and rule.version <= old.version:
            raise RuleFileRefused(
                rule.line,
                f"rule '{rule.id}' changed, so its version must be above {old.version}",
            )


def _store(
    rt: Runtime,
    uow: UnitOfWork,
    actor: Authenticated,
    rules: RuleSet,
    *,
    comment: str,
    based_on: int | None,
    action: str,
) -> RuleSetVersion:
    head = uow.risk.latest_rule_set_head()
    version = (head[0] if head else DEFAULT_VERSION) + 1
    now = rt.clock.now()
    stored = RuleSetVersion(
        version=version,
        source=rules.source,
        sha256=rules.sha256,
        rule_count=len(rules.rules),
        comment=comment,
        created_at=now,
        created_by=actor.user.id,
        based_on=based_on,
    )
    if not uow.risk.add_rule_set(stored):
        raise Conflict(
            "rule_set_changed_meanwhile",
            N_("Someone else changed the rules just now. Reload them and try again."),
        )
    record(
        uow,
        at=now,
        actor=Actor.staff(actor.user.id),
        action=action,
        subject_kind="risk_rule_set",
        subject_id=str(version),
        details={
            "sha256": rules.sha256,
            "rules": len(rules.rules),
            "previous": head[0] if head else DEFAULT_VERSION,
            "based_on": based_on,
            "comment": comment,
        },
    )
    return stored


def save_rules(
    rt: Runtime,
    actor: Authenticated,
    *,
    source: str,
    comment: str,
    expected_version: int | None = None,
) -> RuleSetVersion:
    """check_rules: compile `source` (refused with line and reason if invalid) and make it the
    active rule set as a new version. `expected_version` is the version the editor started
    from: if another one came into force meanwhile, the save is refused rather than silently
    undoing that change."""
    check_permission(actor, Permission.RISK_RULES_MANAGE)
    text = _check_comment(comment)
    rules = RuleSet.compile(source)
    with rt.db.uow() as uow:
        in_force, current = active_rule_set(uow)
        if expected_version is not None and expected_version != in_force:
            raise Conflict(
                "rule_set_changed_meanwhile",
                N_("Someone else changed the rules just now. Reload them and try again."),
            )
        _check_versions_raised(rules, current)
        stored = _store(
            rt, uow, actor, rules, comment=text, based_on=None, action="risk.rules.saved"
        )
        uow.commit()
    return stored


def rollback_rules(
    rt: Runtime, actor: Authenticated, *, to_version: int, comment: str
) -> RuleSetVersion:
    """Make an earlier version's file active again, as a new version based on it."""
    check_permission(actor, Permission.RISK_RULES_MANAGE)
    text = _check_comment(comment)
    with rt.db.uow() as uow:
        earlier = _version_text(uow, to_version)
        rules = compiled(earlier.source, earlier.sha256)
        stored = _store(
            rt,
            uow,
            actor,
            rules,
            comment=text,
            based_on=to_version,
            action="risk.rules.rolled_back",
        )
        uow.commit()
    return stored


def rule_versions(rt: Runtime, actor: Authenticated) -> list[RuleSetVersion]:
    """Stored versions, newest first (version 0, the packaged default, last)."""
    check_permission(actor, Permission.RISK_READ)
    with rt.db.uow(read_only=True) as uow:
        return [*uow.risk.rule_sets(), _version_text(uow, DEFAULT_VERSION)]


def rule_version(rt: Runtime, actor: Authenticated, version: int) -> RuleSetVersion:
    check_permission(actor, Permission.RISK_READ)
    with rt.db.uow(read_only=True) as uow:
        return _version_text(uow, version)


@dataclass(frozen=True)
class RuleDiff:
    old_version: int
    new_version: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    thresholds_changed: bool
    unified: str
    """The line diff of the two files."""


def diff_rules(old: RuleSet, new: RuleSet, *, old_version: int, new_version: int) -> RuleDiff:
    before, after = old.by_id(), new.by_id()
    unified = "".join(
        difflib.unified_diff(
            old.source.splitlines(keepends=True),
            new.source.splitlines(keepends=True),
            fromfile=f"version {old_version}",
            tofile=f"version {new_version}",
        )
    )
    return RuleDiff(
        old_version=old_version,
        new_version=new_version,
        added=tuple(rule_id for rule_id in after if rule_id not in before),
        removed=tuple(rule_id for rule_id in before if rule_id not in after),
        changed=tuple(
            rule_id
            for rule_id, rule in after.items()
            if rule_id in before and before[rule_id].canonical != rule.canonical
        ),
        thresholds_changed=(old.hold_at, old.freeze_at) != (new.hold_at, new.freeze_at),
        unified=unified,
    )


def diff_rule_versions(rt: Runtime, actor: Authenticated, old: int, new: int) -> RuleDiff:
    check_permission(actor, Permission.RISK_READ)
    with rt.db.uow(read_only=True) as uow:
        first, second = _version_text(uow, old), _version_text(uow, new)
    return diff_rules(
        compiled(first.source, first.sha256),
        compiled(second.source, second.sha256),
        old_version=old,
        new_version=new,
    )
