"""Rule files are data: compiled to closures over named features, refused with the line and
the reason when anything is off, and never evaluated as code."""

from __future__ import annotations

import textwrap

import pytest

from walletdesk.risk.models import Action
from walletdesk.risk.rulefile import RuleFileRefused
from walletdesk.risk.ruleset import RuleSet, default_rules_source

TEMPLATE = """\
rule_set: test
thresholds: {{hold: 50, freeze: 90}}
rules:
  - id: probe
    version: 1
    weight: 40
    action: hold
    when: {when}
    reasons: {{zh: 测试, en: test}}
"""
WHEN_LINE = 8


def one_rule(when: str) -> RuleSet:
    return RuleSet.compile(TEMPLATE.format(when=when))


def refused(source: str) -> RuleFileRefused:
    with pytest.raises(RuleFileRefused) as caught:
        RuleSet.compile(source)
    return caught.value


def test_the_shipped_rule_file_has_every_rule_the_issue_asks_for() -> None:
    rules = RuleSet.compile(default_rules_source())
    assert {
        "new_receiving_account",
        "dormant_reactivated",
        "unusual_amount_new_payee",
        "quick_follow_up",
        "fan_out",
        "fan_in_possible_mule",
        "similar_amounts_one_receiver",
        "pass_through",
        "frequent_transfers",
        "large_amount",
        "four_eyes_large_amount",
        "large_after_security_change",
        "safe_account_scam",
    } <= set(rules.by_id())
    assert (rules.hold_at, rules.freeze_at) == (50, 90)


@pytest.mark.parametrize(
    ("label", "when", "reason"),
    [
        ("python call", "__import__('os').system('id')", "unknown feature '__import__'"),
        ("dunder attribute", "amount.__class__ > 1", "unknown operator '.__class__'"),
        ("unknown operator", "amount =~ 100", "unknown operator '=~'"),
        ("single equals", "amount = 100", "unknown operator '='"),
        ("word operator", "kind contains transfer", "unknown operator 'contains'"),
        ("unknown feature", "balance_of_victim > 3", "unknown feature 'balance_of_victim'"),
        ("unknown feature after a factor", "amount > 3 * os", "unknown feature 'os' after '*'"),
        ("duration without a unit", "since_last_out < 300", "give a unit"),
        ("unit on an amount", "amount > 5m", "not a duration"),
        ("fen below a fen", "amount > 10.001", "more than two decimal places"),
        ("count with decimals", "sender_out_count_1h > 1.5", "must be a whole number"),
        ("text compared by size", "kind > transfer", "can only be compared with == or !="),
        ("unknown movement kind", "kind == teleport", "unknown kind 'teleport'"),
        ("money against a count", "amount > 3 * sender_out_count_1h", "cannot be compared"),
        ("count feature alone", "sender_out_count_1h", "needs an operator and a value"),
        ("between backwards", "amount between [500, 100]", "low <= high"),
        ("trailing text", "amount > 100 or 1", "unexpected 'or' after the condition"),
    ],
)
def test_a_bad_condition_is_refused_with_its_line_and_reason(
    label: str, when: str, reason: str
) -> None:
    error = refused(TEMPLATE.format(when=f'"{when}"'))
    assert error.line == WHEN_LINE
    assert reason in error.reason, error.reason
    assert error.code == "invalid_rule_file" and error.params["line"] == WHEN_LINE


def test_a_condition_deep_in_a_combinator_is_refused_at_its_own_line() -> None:
    source = textwrap.dedent(
        """\
        thresholds: {hold: 50, freeze: 90}
        rules:
          - id: nested
            version: 1
            weight: 10
            action: hold
            when:
              all:
                - amount > 100
                - any:
                    - support_contact
                    - __import__ > 0
            reasons: {zh: 嵌套, en: nested}
        """
    )
    error = refused(source)
    assert (error.line, error.reason) == (12, "unknown feature '__import__'")


@pytest.mark.parametrize(
    ("label", "source", "line", "reason"),
    [
        (
            "python object tag",
            "thresholds: !!python/object/apply:os.system ['id']\nrules: []\n",
            1,
            "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        ),
        (
            "alias",
            "thresholds: &t {hold: 50, freeze: 90}\nrules: *t\n",
            2,
            "anchors and aliases are not allowed",
        ),
        ("not YAML", "thresholds: {hold: 50\nrules: [\n", 2, "not valid YAML"),
        ("unknown top key", "thresholds: {hold: 50, freeze: 90}\nexec: 1\nrules: []\n", 2,
         "unknown key 'exec'"),
        ("duplicate key", "thresholds: {hold: 50, freeze: 90}\nrules: []\nrules: []\n", 3,
         "'rules' appears twice"),
        ("freeze below hold", "thresholds: {hold: 60, freeze: 40}\nrules: []\n", 1,
         "freeze must be at least hold"),
        ("no rules", "thresholds: {hold: 50, freeze: 90}\nrules: []\n", 2, "there are no rules"),
        ("empty file", "", 1, "the file is empty"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_with_its_line_and_reason(
    label: str, source: str, line: int, reason: str
) -> None:
    error = refused(source)
    assert reason in error.reason, error.reason
    assert error.line == line


@pytest.mark.parametrize(
    ("label", "change", "line", "reason"),
    [
        ("weight above 100", ("weight: 40", "weight: 400"), 6, "weight must be between 0 and 100"),
        ("weight as text", ("weight: 40", "weight: heavy"), 6, "weight must be a whole number"),
        ("unknown action", ("action: hold", "action: shrug"), 7, "unknown action 'shrug'"),
        ("id with capitals", ("id: probe", "id: Probe"), 4, "id must be lower-case"),
        ("reasons without zh", ("{zh: 测试, en: test}", "{en: test}"), 9, "reasons need 'zh'"),
        ("unknown rule key", ("version: 1", "version: 1\n    eval: true"), 6, "unknown key 'eval'"),
        ("negative amount gate", ("version: 1", "version: 1\n    min_amount: -5"), 6,
         "min_amount must be yuan"),
    ],
)  # fmt: skip
def test_a_bad_rule_field_is_refused_with_its_line(
    label: str, change: tuple[str, str], line: int, reason: str
) -> None:
    source = TEMPLATE.format(when="amount > 1").replace(*change)
    error = refused(source)
    assert reason in error.reason, error.reason
    assert error.line == line


def test_the_same_rule_id_twice_is_refused_at_the_second() -> None:
    rule = TEMPLATE.format(when="amount > 1").split("rules:\n")[1]
    error = refused(TEMPLATE.format(when="amount > 1") + rule)
    assert (error.line, error.reason) == (10, "the rule id 'probe' is used twice")


@pytest.mark.parametrize(
    ("when", "features", "fires"),
    [
        ("amount > 3 * sender_avg_out_90d", {"amount": 30001, "sender_avg_out_90d": 10000}, True),
        ("amount > 3 * sender_avg_out_90d", {"amount": 30000, "sender_avg_out_90d": 10000}, False),
        ("amount > 3 * sender_avg_out_90d", {"amount": 30001, "sender_avg_out_90d": None}, False),
        ("sender_out_sum_24h >= 0.9 * sender_in_sum_24h",
         {"sender_out_sum_24h": 900, "sender_in_sum_24h": 1000}, True),
        ("sender_out_sum_24h >= 0.9 * sender_in_sum_24h",
         {"sender_out_sum_24h": 899, "sender_in_sum_24h": 1000}, False),
        ("amount between [100, 200.50]", {"amount": 20050}, True),
        ("amount between [100, 200.50]", {"amount": 20051}, False),
        ("kind not_in [topup, fx]", {"kind": "transfer"}, True),
        ("kind in ['topup', 'fx']", {"kind": "transfer"}, False),
        ("since_password_reset == none", {"since_password_reset": None}, True),
        ("since_password_reset != none", {"since_password_reset": None}, False),
        ("since_last_out <= 1.5h", {"since_last_out": 5400}, True),
        ("payee_is_new == false", {"payee_is_new": False}, True),
    ],
)  # fmt: skip
def test_conditions_compare_exact_integers(
    when: str, features: dict[str, object], fires: bool
) -> None:
    rules = one_rule(f'"{when}"')
    verdict = rules.evaluate(features)  # type: ignore[arg-type]
    assert bool(verdict.hits) is fires


def test_an_unknown_value_never_fires_even_under_not() -> None:
    rules = one_rule("{not: {any: [amount > 100, since_password_reset < 1d]}}")
    assert rules.evaluate({"amount": 50, "since_password_reset": None}).hits == ()
    assert rules.evaluate({"amount": 50, "since_password_reset": 90000}).hits != ()


def test_score_is_capped_and_the_action_follows_thresholds() -> None:
    source = textwrap.dedent(
        """\
        thresholds: {hold: 50, freeze: 90}
        rules:
          - {id: a, version: 1, weight: 30, action: approve, when: amount > 0,
             reasons: {zh: 甲, en: a}}
          - {id: b, version: 1, weight: 30, action: step_up, when: amount > 0,
             reasons: {zh: 乙, en: b}}
          - {id: c, version: 1, weight: 60, action: approve, when: amount > 100000,
             reasons: {zh: 丙, en: c}, four_eyes: true}
        """
    )
    rules = RuleSet.compile(source)
    small = rules.evaluate({"amount": 100})
    assert (small.score, small.action, small.four_eyes) == (60, Action.HOLD, False)
    big = rules.evaluate({"amount": 10_000_001})
    assert (big.score, big.action, big.four_eyes) == (100, Action.FREEZE, True)
    snoozed = rules.evaluate({"amount": 100}, frozenset({"b"}))
    assert (snoozed.score, snoozed.action, snoozed.snoozed) == (30, Action.APPROVE, ("b",))


def test_amount_gates_are_inclusive_yuan() -> None:
    source = TEMPLATE.format(when="kind == transfer").replace(
        "version: 1", "version: 1\n    min_amount: 100\n    max_amount: 200"
    )
    rules = RuleSet.compile(source)
    fired = [
        bool(rules.evaluate({"kind": "transfer", "amount": fen}).hits)
        for fen in (9_999, 10_000, 20_000, 20_001)
    ]
    assert fired == [False, True, True, False]
