"""The measuring commands on tiny files written here (the real data sets live in shared/)."""

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from walletdesk.cli import app

runner = CliRunner()

TRAIN = {
    "card_arrival": ["where is my card", "my card has not arrived", "card still not here",
                     "when does my new card arrive", "card delivery is late", "card not delivered"],
    "top_up_failed": ["my top up failed", "top-up declined", "cannot top up my wallet",
                      "top up error again", "why did the top up fail", "top up was rejected"],
    "lost_card": ["I lost my card", "my card was stolen", "someone stole my card",
                  "card is missing", "lost card please block", "my card is gone"],
    "fees": ["what are your fees", "is there a fee", "how much do you charge",
             "withdrawal fee", "transfer fee amount", "fees for top up"],
    "exchange_rate": ["exchange rate today", "usd to cny rate", "what rate do you use",
                      "euro rate", "conversion rate please", "how is the rate set"],
}  # fmt: skip


def _write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category"])
        writer.writerows(rows)
    return path


@pytest.fixture
def train_csv(tmp_path: Path) -> Path:
    return _write_csv(tmp_path / "train.csv", [(t, c) for c, texts in TRAIN.items() for t in texts])


def _run(*args: str) -> dict[str, object]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_eval_prints_one_json_object_with_accuracy_f1_and_latency(
    train_csv: Path, tmp_path: Path
) -> None:
    test_csv = _write_csv(
        tmp_path / "test.csv",
        [("my card never arrived", "card_arrival"), ("the top up failed", "top_up_failed")],
    )
    report = _run("bot", "eval", "--train", str(train_csv), "--test", str(test_csv))
    assert {"accuracy", "macro_f1", "p50_ms", "p95_ms", "train_seconds"} <= set(report)
    assert "oos_recall" not in report
    assert 0.0 <= float(report["accuracy"]) <= 1.0  # type: ignore[arg-type]


def test_eval_with_unknown_categories_reports_in_scope_accuracy_and_oos_recall(
    train_csv: Path, tmp_path: Path
) -> None:
    test_csv = _write_csv(
        tmp_path / "test.csv",
        [
            ("my card never arrived", "card_arrival"),
            ("what is the weather in Paris", "oos"),
            ("recommend a pizza place", "oos"),
        ],
    )
    report = _run("bot", "eval", "--train", str(train_csv), "--test", str(test_csv))
    assert {"in_scope_accuracy", "oos_recall", "accuracy", "macro_f1"} <= set(report)
    assert report["oos_rows"] == 2


def test_eval_refuses_a_file_without_the_text_category_header(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence,label\nhello,greeting\n", encoding="utf-8")
    result = runner.invoke(app, ["bot", "eval", "--train", str(bad), "--test", str(bad)])
    assert result.exit_code == 2
    assert "text,category" in result.output


SAME = [
    ("花呗怎么还款", "花呗如何还钱"),
    ("借呗额度怎么提高", "怎样提升借呗额度"),
    ("花呗可以分期吗", "花呗能不能分期付款"),
    ("怎么更换绑定的银行卡", "如何换绑银行卡"),
    ("提现多久到账", "提现要多长时间到"),
    ("忘记密码怎么办", "密码忘了怎么找回"),
]
DIFFERENT = [
    ("花呗怎么还款", "借呗额度怎么提高"),
    ("花呗可以分期吗", "怎么更换绑定的银行卡"),
    ("提现多久到账", "忘记密码怎么办"),
    ("借呗额度怎么提高", "花呗可以分期吗"),
    ("怎么更换绑定的银行卡", "提现多久到账"),
    ("忘记密码怎么办", "花呗怎么还款"),
]


def test_eval_pairs_reads_atec_and_bq_files_and_reports_accuracy_f1_and_latency(
    tmp_path: Path,
) -> None:
    atec = tmp_path / "atec.tsv"
    lines = [f"{i}\t{a}\t{b}\t1" for i, (a, b) in enumerate(SAME, 1)]
    lines += [f"{i}\t{a}\t{b}\t0" for i, (a, b) in enumerate(DIFFERENT, 10)]
    atec.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    bq = tmp_path / "bq.csv"
    bq.write_text(
        "\ufeffsentence1,sentence2,label\n"
        + "".join(f"{a},{b},1\n" for a, b in SAME[:3])
        + "".join(f"{a},{b},0\n" for a, b in DIFFERENT[:3]),
        encoding="utf-8",
    )
    test = tmp_path / "test.csv"
    test.write_text(
        "sentence1,sentence2,label\n花呗怎样还款,花呗怎么还钱,1\n提现多久到,忘了密码,0\n",
        encoding="utf-8",
    )
    report = _run("bot", "eval-pairs", "--train", str(atec), str(bq), "--test", str(test))
    assert {"accuracy", "f1", "p95_ms"} <= set(report)
    assert report["train_pairs"] == len(SAME) + len(DIFFERENT) + 6
    assert report["test_pairs"] == 2


def test_eval_pairs_refuses_a_file_in_neither_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("q1,q2\na,b\n", encoding="utf-8")
    result = runner.invoke(app, ["bot", "eval-pairs", "--train", str(bad), "--test", str(bad)])
    assert result.exit_code == 2
    assert "ATEC" in result.output


def test_train_writes_the_versioned_model_into_the_data_dir(tmp_path: Path) -> None:
    report = _run("bot", "train", "--data-dir", str(tmp_path))
    path = Path(str(report["file"]))
    assert path.parent == tmp_path / "bot" and path.is_file()
    assert path.name == f"nlu-v1-{str(report['sha256'])[:12]}.pickle"
    assert (tmp_path / "bot" / "current.json").is_file()
