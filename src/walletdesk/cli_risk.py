"""`walletdesk risk replay | scenarios`: backtest rule files and generate labelled traffic."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from walletdesk.risk.replay import ReplayResult
    from walletdesk.risk.ruleset import RuleSet

risk_app = typer.Typer(help="Risk rules: backtests and synthetic traffic.", no_args_is_help=True)
console = Console(highlight=False)


def _load_rules(path: Path) -> RuleSet:
    from walletdesk.risk.rulefile import RuleFileRefused
    from walletdesk.risk.ruleset import RuleSet

    try:
        return RuleSet.compile(path.read_text(encoding="utf-8"))
    except RuleFileRefused as exc:
        console.print(f"[red]{path} refused at line {exc.line}:[/red] {exc.reason}")
        raise typer.Exit(2) from exc
    except OSError as exc:
        console.print(f"[red]Cannot read {path}:[/red] {exc.strerror}")
        raise typer.Exit(2) from exc


def _live_rules() -> tuple[str, RuleSet]:
    """The rule set in force in the configured database."""
    from walletdesk.cli import _runtime
    from walletdesk.risk.rules_admin import active_rule_set

    runtime = _runtime()
    try:
        with runtime.db.uow(read_only=True) as uow:
            version, rules = active_rule_set(uow)
    finally:
        runtime.close()
    return f"live rule set, version {version}", rules


@risk_app.command("replay")
def replay_command(
    file: Annotated[Path, typer.Argument(help="PaySim CSV or scenario file (JSON lines)")],
    rules: Annotated[
        Path | None, typer.Option(help="Rule file to test [default: the packaged rules]")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Rule file to compare with [default: packaged rules]")
    ] = None,
    live: Annotated[
        bool, typer.Option("--live", help="Compare with the rule set active in the database")
    ] = False,
) -> None:
    """Run labelled movements through a rule set; print the confusion matrix, precision,
    recall, alert rate and the difference against the baseline. Last line: one JSON object."""
    from walletdesk.risk.replay import read_replay_file, run_replay, summary
    from walletdesk.risk.rules_admin import default_rule_set

    chosen = _load_rules(rules) if rules else default_rule_set()
    if live:
        baseline_name, compared = _live_rules()
    elif baseline:
        baseline_name, compared = str(baseline), _load_rules(baseline)
    else:
        baseline_name, compared = "packaged default rules", default_rule_set()
    if not file.is_file():
        console.print(f"[red]No such file:[/red] {file}")
        raise typer.Exit(2)
    with console.status(f"reading {file}…"):
        replay = read_replay_file(file)
    total = len(replay.events)
    with Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("replay", total=total)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run_replay(
            replay, chosen, compared, progress=lambda done: progress.update(task, completed=done)
        )
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    line = summary(result, seconds=seconds, cpu_seconds=cpu_seconds)
    _report(result, file=file, rules=str(rules or "packaged default rules"), baseline=baseline_name)
    console.print(
        f"{total:,} movements in {seconds:.2f} s: {line['events_per_s']:,} per second "
        f"({line['events_per_cpu_s']:,} per CPU second)"
    )
    print(json.dumps(line, ensure_ascii=False), flush=True)  # noqa: T201 - the machine line


def _report(result: ReplayResult, *, file: Path, rules: str, baseline: str) -> None:
    card, base = result.rules, result.baseline
    matrix = Table(title=f"{file.name}: {rules}")
    matrix.add_column("")
    matrix.add_column("fraud", justify="right")
    matrix.add_column("not fraud", justify="right")
    matrix.add_row("alerted", f"{card.true_positive:,}", f"{card.false_positive:,}")
    matrix.add_row("approved", f"{card.false_negative:,}", f"{card.true_negative:,}")
    console.print(matrix)
    compare = Table(title=f"against {baseline}")
    for column in ("", "rules", "baseline"):
        compare.add_column(column, justify="right" if column else "left")
    compare.add_row("precision", f"{card.precision:.4f}", f"{base.precision:.4f}")
    compare.add_row("recall", f"{card.recall:.4f}", f"{base.recall:.4f}")
    compare.add_row("alert rate", f"{card.alert_rate:.4f}", f"{base.alert_rate:.4f}")
    console.print(compare)
    console.print(
        f"decisions that differ: {result.changed:,} "
        f"(newly alerted {result.newly_alerted:,}, no longer alerted {result.no_longer_alerted:,})"
    )
    actions = ", ".join(f"{name} {count:,}" for name, count in sorted(card.actions.items()))
    console.print(f"actions: {actions}")
    hits = Table(title="rule hits")
    hits.add_column("rule")
    hits.add_column("rules", justify="right")
    hits.add_column("baseline", justify="right")
    for rule_id in sorted(set(card.rule_hits) | set(base.rule_hits)):
        hits.add_row(rule_id, f"{card.rule_hits[rule_id]:,}", f"{base.rule_hits[rule_id]:,}")
    console.print(hits)
    if len(result.by_pattern) > 1:
        patterns = Table(title="by pattern")
        for column in ("pattern", "movements", "alerted"):
            patterns.add_column(column, justify="left" if column == "pattern" else "right")
        for pattern, tally in sorted(result.by_pattern.items()):
            patterns.add_row(pattern, f"{tally['events']:,}", f"{tally['alerted']:,}")
        console.print(patterns)


@risk_app.command("scenarios")
def scenarios_command(
    out: Annotated[Path, typer.Option(help="Where to write the scenario file (JSON lines)")],
    seed: Annotated[int, typer.Option(help="Same seed, same file")] = 7,
    customers: Annotated[int, typer.Option(min=30, max=100_000, help="Normal customers")] = 300,
) -> None:
    """Generate 30 days of labelled traffic: normal customers, mules, account takeovers,
    fake-support scams and bursts of small transfers."""
    from collections import Counter

    from walletdesk.risk.scenarios import generate

    lines = generate(seed, customers)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    movements = [json.loads(line) for line in lines if '"type": "movement"' in line]
    patterns = Counter(str(m["pattern"]) for m in movements)
    fraud = sum(int(m["label"]) for m in movements)
    console.print(
        f"wrote {out}: {len(movements):,} movements ({fraud:,} labelled fraud), seed {seed}"
    )
    console.print(", ".join(f"{name} {count:,}" for name, count in sorted(patterns.items())))
