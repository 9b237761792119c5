"""Backtests: generated scenarios are reproducible, replay is deterministic, PaySim is read in
time order, and the default rules catch every fraud pattern the generator makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from walletdesk.cli import app
from walletdesk.risk.replay import read_replay_file, run_replay
from walletdesk.risk.rules_admin import default_rule_set
from walletdesk.risk.ruleset import RuleSet, default_rules_source
from walletdesk.risk.scenarios import generate

PAYSIM = Path(__file__).resolve().parents[3] / "shared" / "data" / "paysim" / "paysim_sample.csv"
FRAUD_PATTERNS = {"mule", "account_takeover", "fake_support", "frequent_small"}


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "seed7.jsonl"
    outcome = CliRunner().invoke(
        app, ["risk", "scenarios", "--out", str(path), "--seed", "7", "--customers", "120"]
    )
    assert outcome.exit_code == 0, outcome.output
    return path


def last_json(output: str) -> dict[str, object]:
    line: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return line


def test_the_same_seed_generates_the_same_traffic() -> None:
    assert generate(7, 60) == generate(7, 60)
    assert generate(7, 60) != generate(8, 60)


def test_replaying_the_same_file_twice_gives_the_same_decision_hash(scenario_file: Path) -> None:
    first = CliRunner().invoke(app, ["risk", "replay", str(scenario_file)])
    second = CliRunner().invoke(app, ["risk", "replay", str(scenario_file)])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    one, two = last_json(first.output), last_json(second.output)
    assert {"precision", "recall", "alert_rate", "events_per_s", "decision_hash"} <= one.keys()
    assert one["decision_hash"] == two["decision_hash"]
    assert one["baseline"] == two["baseline"]
    assert "fraud" in first.output and "rule hits" in first.output


def test_a_changed_rule_file_shows_its_difference_from_the_baseline(
    scenario_file: Path, tmp_path: Path
) -> None:
    quieter = tmp_path / "quieter.yaml"
    quieter.write_text(
        default_rules_source().replace(
            "  - id: quick_follow_up\n    version: 1\n    weight: 10\n    action: approve\n",
            "  - id: quick_follow_up\n    version: 2\n    weight: 10\n    action: hold\n",
        ),
        encoding="utf-8",
    )
    plain = last_json(CliRunner().invoke(app, ["risk", "replay", str(scenario_file)]).output)
    outcome = CliRunner().invoke(
        app, ["risk", "replay", str(scenario_file), "--rules", str(quieter)]
    )
    assert outcome.exit_code == 0, outcome.output
    changed = last_json(outcome.output)
    assert changed["decision_hash"] != plain["decision_hash"]
    baseline = changed["baseline"]
    assert isinstance(baseline, dict)
    assert baseline["newly_alerted"] > 0 and baseline["no_longer_alerted"] == 0
    assert changed["alert_rate"] > baseline["alert_rate"]


def test_the_default_rules_catch_every_fraud_pattern_and_few_normal_customers(
    scenario_file: Path,
) -> None:
    replay = read_replay_file(scenario_file)
    rules = default_rule_set()
    result = run_replay(replay, rules, rules)
    assert FRAUD_PATTERNS | {"normal"} == set(result.by_pattern)
    for pattern in FRAUD_PATTERNS:
        tally = result.by_pattern[pattern]
        assert tally["alerted"] >= tally["events"] // 2, pattern
    normal = result.by_pattern["normal"]
    assert normal["alerted"] < normal["events"] * 0.05
    assert result.rules.recall > 0.8


def test_a_broken_rule_file_is_refused_with_its_line(scenario_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        default_rules_source().replace("when: ip_listed", "when: ip_listed ~= true"),
        encoding="utf-8",
    )
    outcome = CliRunner().invoke(
        app, ["risk", "replay", str(scenario_file), "--rules", str(broken)]
    )
    assert outcome.exit_code == 2
    line = default_rules_source().splitlines().index("    when: ip_listed") + 1
    said = " ".join(outcome.output.split())  # the console wraps long paths at its width
    assert f"refused at line {line}" in said
    assert "unknown operator '~='" in said


@pytest.mark.skipif(not PAYSIM.exists(), reason="the PaySim sample is not in ../shared/data")
def test_paysim_rows_are_replayed_in_time_order_with_their_labels(tmp_path: Path) -> None:
    lines = PAYSIM.read_text(encoding="utf-8").splitlines()[:2001]
    sample = tmp_path / "paysim_head.csv"
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    replay = read_replay_file(sample)
    times = [event.movement.at for event in replay.events]
    assert len(times) == 2000 and times == sorted(times)
    frauds = sum(1 for line in lines[1:] if float(line.split(",")[9]) == 1.0)
    assert sum(event.fraud for event in replay.events) == frauds
    outcome = CliRunner().invoke(app, ["risk", "replay", str(sample)])
    assert outcome.exit_code == 0, outcome.output
    summary = last_json(outcome.output)
    confusion = summary["confusion"]
    assert isinstance(confusion, dict)
    assert confusion["tp"] + confusion["fn"] == frauds
    assert sum(confusion.values()) == 2000


def test_a_rule_set_compiled_twice_decides_the_same(scenario_file: Path) -> None:
    once = run_replay(read_replay_file(scenario_file), default_rule_set(), default_rule_set())
    again = RuleSet.compile(default_rules_source())
    twice = run_replay(read_replay_file(scenario_file), again, again)
    assert once.decision_hash == twice.decision_hash
