"""Reading a YAML rule file into plain specs, with the line of everything it refuses.

The file is composed with PyYAML's safe loader into nodes (never constructed into objects), and
only the plain YAML types are accepted: text, integers, decimals, true/false, lists and
mappings. Tags such as ``!!python/object``, anchors and aliases, duplicate keys and unknown keys
are refused with their line number.

    rule_set: walletdesk default          # optional name
    thresholds: {hold: 50, freeze: 90}    # score at or above which to hold / freeze
    rules:
      - id: large_amount                  # lower-case letters, digits, _
        version: 1                        # raise it whenever the rule changes
        weight: 20                        # 0..100, summed over the rules that fire (cap 100)
        action: hold                      # approve (score only), step_up, hold, decline, freeze
        when: amount >= 10000             # a condition, or all: / any: / not:
        min_amount: 10000                 # optional gates in yuan (CNY), both inclusive
        max_amount: 50000
        four_eyes: false                  # optional: a reviewer needs a second approver
        reasons: {zh: 单笔金额较大, en: A large single amount}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.risk.expressions import Compiled, ConditionError, compile_condition
from walletdesk.risk.models import Action
from walletdesk.risk.predicates import Predicate, all_of, any_of, not_of

MAX_SOURCE_BYTES = 256 * 1024
MAX_RULES = 500
MAX_DEPTH = 8
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_YAML}{name}" for name in ("str", "int", "float", "bool", "null")}
_TOP_KEYS = {"rule_set", "thresholds", "rules"}
_RULE_KEYS = {
    "id",
    "version",
    "weight",
    "action",
    "when",
    "reasons",
    "min_amount",
    "max_amount",
    "four_eyes",
    "description",
}
_REQUIRED_RULE_KEYS = ("id", "version", "weight", "action", "when", "reasons")


class RuleFileRefused(ValidationFailed):
    """The rule file is not valid; `line` (1-based) and `reason` say where and why."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(
            "invalid_rule_file",
            N_("The rule file was refused at line {line}: {reason}"),
            field="rules",
            line=line,
            reason=reason,
        )


@dataclass(frozen=True)
class Condition:
    predicate: Predicate
    canonical: str
    features: frozenset[str]


@dataclass(frozen=True)
class RuleSpec:
    id: str
    version: int
    weight: int
    action: Action
    when: Condition
    reason_zh: str
    reason_en: str
    min_amount: int | None
    max_amount: int | None
    four_eyes: bool
    line: int

    @property
    def canonical(self) -> str:
        """Everything that decides what the rule does, as one comparable line."""
        return (
            f"{self.id} v{self.version} w{self.weight} {self.action} four_eyes={self.four_eyes} "
            f"min={self.min_amount} max={self.max_amount} when={self.when.canonical} "
            f"zh={self.reason_zh} en={self.reason_en}"
        )


@dataclass(frozen=True)
class RuleFile:
    name: str
    hold_at: int
    freeze_at: int
    rules: tuple[RuleSpec, ...]


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases where they are used (a rule file has no need for
    them, and an alias would let one node stand in many places)."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise RuleFileRefused(
                int(event.start_mark.line) + 1, "anchors and aliases are not allowed"
            )
        return super().compose_node(parent, index)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def parse_rule_file(source: str) -> RuleFile:
    """Parse and check a whole file; raises RuleFileRefused at the first problem."""
    if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise RuleFileRefused(1, f"the file is larger than {MAX_SOURCE_BYTES // 1024} KiB")
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else 1
        raise RuleFileRefused(line, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise RuleFileRefused(1, f"not valid YAML: {exc}") from None
    if root is None:
        raise RuleFileRefused(1, "the file is empty")
    return _Walker().file(root)


class _Walker:
    def __init__(self) -> None:
        self._seen: set[int] = set()

    # --- YAML shapes -----------------------------------------------------------------------

    def _visit(self, node: Node) -> None:
        if isinstance(node, ScalarNode):
            allowed = node.tag in _SCALAR_TAGS
        elif isinstance(node, SequenceNode):
            allowed = node.tag == f"{_YAML}seq"
        else:
            allowed = node.tag == f"{_YAML}map"
        if not allowed:
            raise RuleFileRefused(_line(node), f"the tag '{node.tag}' is not allowed")

    def _enter(self, node: Node) -> None:
        """Each list or mapping is read once; meeting one again means an alias."""
        self._visit(node)
        if id(node) in self._seen:
            raise RuleFileRefused(_line(node), "anchors and aliases are not allowed")
        self._seen.add(id(node))

    def mapping(self, node: Node, what: str, allowed: set[str]) -> dict[str, tuple[Node, Node]]:
        self._enter(node)
        if not isinstance(node, MappingNode):
            raise RuleFileRefused(_line(node), f"{what} must be a mapping (key: value)")
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            self._visit(key_node)
            self._visit(value_node)
            if not isinstance(key_node, ScalarNode) or key_node.tag != f"{_YAML}str":
                raise RuleFileRefused(_line(key_node), f"keys of {what} must be words")
            key = str(key_node.value)
            if key in found:
                raise RuleFileRefused(_line(key_node), f"'{key}' appears twice in {what}")
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise RuleFileRefused(
                    _line(key_node), f"unknown key '{key[:40]}' in {what} (known: {known})"
                )
            found[key] = (key_node, value_node)
        return found

    def sequence(self, node: Node, what: str) -> list[Node]:
        self._enter(node)
        if not isinstance(node, SequenceNode):
            raise RuleFileRefused(_line(node), f"{what} must be a list")
        for item in node.value:
            self._visit(item)
        return list(node.value)

    def text(self, node: Node, what: str, *, limit: int = 500) -> str:
        self._visit(node)
        if not isinstance(node, ScalarNode) or node.tag != f"{_YAML}str":
            raise RuleFileRefused(_line(node), f"{what} must be text")
        value = str(node.value).strip()
        if not value:
            raise RuleFileRefused(_line(node), f"{what} must not be empty")
        if len(value) > limit:
            raise RuleFileRefused(_line(node), f"{what} is longer than {limit} characters")
        return value

    def integer(self, node: Node, what: str, low: int, high: int) -> int:
        self._visit(node)
        if not isinstance(node, ScalarNode) or node.tag != f"{_YAML}int":
            raise RuleFileRefused(_line(node), f"{what} must be a whole number")
        try:
            value = int(str(node.value).replace("_", ""), 10)
        except ValueError:
            raise RuleFileRefused(_line(node), f"{what} must be a plain whole number") from None
        if not low <= value <= high:
            raise RuleFileRefused(_line(node), f"{what} must be between {low} and {high}")
        return value

    def boolean(self, node: Node, what: str) -> bool:
        self._visit(node)
        if not isinstance(node, ScalarNode) or node.tag != f"{_YAML}bool":
            raise RuleFileRefused(_line(node), f"{what} must be true or false")
        return str(node.value).lower() in ("true", "yes", "on", "y")

    def yuan(self, node: Node, what: str) -> int:
        self._visit(node)
        if not isinstance(node, ScalarNode) or node.tag not in (f"{_YAML}int", f"{_YAML}float"):
            raise RuleFileRefused(_line(node), f"{what} must be an amount in yuan")
        try:
            fen = Decimal(str(node.value).replace("_", "")) * 100
        except InvalidOperation:
            raise RuleFileRefused(_line(node), f"{what} must be a plain number") from None
        if fen < 0 or fen != fen.to_integral_value():
            raise RuleFileRefused(_line(node), f"{what} must be yuan with at most two decimals")
        return int(fen)

    # --- the file --------------------------------------------------------------------------

    def file(self, root: Node) -> RuleFile:
        top = self.mapping(root, "the rule file", _TOP_KEYS)
        for required in ("thresholds", "rules"):
            if required not in top:
                raise RuleFileRefused(_line(root), f"'{required}' is missing")
        name = self.text(top["rule_set"][1], "rule_set", limit=120) if "rule_set" in top else ""
        hold_at, freeze_at = self.thresholds(top["thresholds"][1])
        items = self.sequence(top["rules"][1], "rules")
        if not items:
            raise RuleFileRefused(_line(top["rules"][1]), "there are no rules")
        if len(items) > MAX_RULES:
            raise RuleFileRefused(_line(items[MAX_RULES]), f"more than {MAX_RULES} rules")
        rules: list[RuleSpec] = []
        ids: set[str] = set()
        for item in items:
            rule = self.rule(item)
            if rule.id in ids:
                raise RuleFileRefused(rule.line, f"the rule id '{rule.id}' is used twice")
            ids.add(rule.id)
            rules.append(rule)
        return RuleFile(name=name, hold_at=hold_at, freeze_at=freeze_at, rules=tuple(rules))

    def thresholds(self, node: Node) -> tuple[int, int]:
        found = self.mapping(node, "thresholds", {"hold", "freeze"})
        for required in ("hold", "freeze"):
            if required not in found:
                raise RuleFileRefused(_line(node), f"thresholds need '{required}'")
        hold = self.integer(found["hold"][1], "thresholds.hold", 1, 100)
        freeze = self.integer(found["freeze"][1], "thresholds.freeze", 1, 100)
        if freeze < hold:
            raise RuleFileRefused(_line(found["freeze"][1]), "freeze must be at least hold")
        return hold, freeze

    def rule(self, node: Node) -> RuleSpec:
        found = self.mapping(node, "a rule", _RULE_KEYS)
        for required in _REQUIRED_RULE_KEYS:
            if required not in found:
                raise RuleFileRefused(_line(node), f"the rule needs '{required}'")
        id_node = found["id"][1]
        rule_id = self.text(id_node, "id", limit=64)
        if not _RULE_ID.match(rule_id):
            raise RuleFileRefused(
                _line(id_node), "id must be lower-case letters, digits and _ (start with a letter)"
            )
        action_node = found["action"][1]
        action_text = self.text(action_node, "action", limit=20)
        if action_text not in Action.__members__.values():
            raise RuleFileRefused(
                _line(action_node),
                f"unknown action '{action_text}' (use {', '.join(Action)})",
            )
        reasons = self.mapping(found["reasons"][1], "reasons", {"zh", "en"})
        for language in ("zh", "en"):
            if language not in reasons:
                raise RuleFileRefused(_line(found["reasons"][1]), f"reasons need '{language}'")
        low = self.yuan(found["min_amount"][1], "min_amount") if "min_amount" in found else None
        high = self.yuan(found["max_amount"][1], "max_amount") if "max_amount" in found else None
        if low is not None and high is not None and high < low:
            raise RuleFileRefused(_line(found["max_amount"][1]), "max_amount is below min_amount")
        if "description" in found:
            self.text(found["description"][1], "description", limit=1000)
        return RuleSpec(
            id=rule_id,
            version=self.integer(found["version"][1], "version", 1, 1_000_000),
            weight=self.integer(found["weight"][1], "weight", 0, 100),
            action=Action(action_text),
            when=self.condition(found["when"][1], depth=0),
            reason_zh=self.text(reasons["zh"][1], "reasons.zh"),
            reason_en=self.text(reasons["en"][1], "reasons.en"),
            min_amount=low,
            max_amount=high,
            four_eyes=(
                self.boolean(found["four_eyes"][1], "four_eyes") if "four_eyes" in found else False
            ),
            line=_line(node),
        )

    def condition(self, node: Node, *, depth: int) -> Condition:
        if depth > MAX_DEPTH:
            raise RuleFileRefused(_line(node), f"conditions nest deeper than {MAX_DEPTH} levels")
        self._visit(node)
        if isinstance(node, ScalarNode):
            text = self.text(node, "a condition")
            try:
                compiled: Compiled = compile_condition(text)
            except ConditionError as exc:
                raise RuleFileRefused(_line(node), exc.reason) from None
            return Condition(compiled.predicate, compiled.canonical, compiled.features)
        if isinstance(node, SequenceNode):
            return self.combined("all", self.sequence(node, "conditions"), node, depth)
        found = self.mapping(node, "a condition", {"all", "any", "not"})
        if len(found) != 1:
            raise RuleFileRefused(_line(node), "a condition is one of all:, any: or not:")
        ((word, (_key, value)),) = found.items()
        if word == "not":
            inner = self.condition(value, depth=depth + 1)
            return Condition(not_of(inner.predicate), f"not({inner.canonical})", inner.features)
        return self.combined(word, self.sequence(value, word), value, depth)

    def combined(self, word: str, items: list[Node], node: Node, depth: int) -> Condition:
        if not items:
            raise RuleFileRefused(_line(node), f"'{word}' needs at least one condition")
        parts = [self.condition(item, depth=depth + 1) for item in items]
        predicates = [part.predicate for part in parts]
        combine = all_of if word == "all" else any_of
        return Condition(
            predicate=predicates[0] if len(parts) == 1 else combine(predicates),
            canonical=f"{word}({'; '.join(part.canonical for part in parts)})",
            features=frozenset().union(*(part.features for part in parts)),
        )
