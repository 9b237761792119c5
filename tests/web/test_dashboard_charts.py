"""The dashboard's SVG geometry (round axis maxima, bars scaled to them, columns over time) and
its CSV lines."""

from __future__ import annotations

import pytest

from walletdesk.web.dashboard_pages import csv_lines
from walletdesk.web.dashboard_tables import Table
from walletdesk.web.svg_charts import (
    COLUMN_HEIGHT,
    LABEL_WIDTH,
    VALUE_ROOM,
    WIDTH,
    Datum,
    bar_chart,
    column_chart,
    nice_ceiling,
)

ROOM = WIDTH - LABEL_WIDTH - VALUE_ROOM


@pytest.mark.parametrize(
    ("label", "value", "ceiling"),
    [
        ("nothing", 0, 1),
        ("one", 1, 1),
        ("just over one", 1.2, 2),
        ("three", 3, 5),
        ("seven", 7, 10),
        ("eleven", 11, 20),
        ("exactly fifty", 50, 50),
        ("a thousand and one", 1001, 2000),
        ("a fraction", 0.3, 0.5),
    ],
)
def test_the_axis_ends_at_a_round_number(label: str, value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling), label


def test_bars_are_scaled_to_the_axis_and_a_small_value_still_shows() -> None:
    chart = bar_chart(
        [Datum("应用内聊天", 40, "40"), Datum("电话", 20, "20"), Datum("邮件", 0, "0")],
        "工单数",
    )
    assert [t.text for t in chart.ticks] == ["0", "25", "50"]
    assert [t.text for t in bar_chart([Datum("a", 1, "1")], "n").ticks] == ["0", "1"]
    assert [t.text for t in bar_chart([Datum("a", 0.4, "0.4")], "n").ticks] == [
        "0",
        "0.25",
        "0.5",
    ]
    widths = [bar.width for bar in chart.bars]
    assert widths == [pytest.approx(ROOM * 0.8, abs=0.1), pytest.approx(ROOM * 0.4, abs=0.1), 0]
    tiny = bar_chart([Datum("a", 1000, "1000"), Datum("b", 1, "1")], "n")
    assert tiny.bars[1].width == 1.5
    assert chart.bars[0].value_x == LABEL_WIDTH + chart.bars[0].width + 4
    assert chart.height == 3 * 26 + 34


def test_shares_are_drawn_against_a_hundred_percent_and_long_labels_are_cut() -> None:
    chart = bar_chart(
        [Datum("Adding or removing a bank card", 50, "50.0%")], "Contained (%)", maximum=100
    )
    assert chart.ticks[-1].text == "100"
    assert chart.bars[0].width == pytest.approx(ROOM / 2, abs=0.1)
    assert chart.bars[0].short_label == "Adding or removi…"
    chinese = bar_chart([Datum("添加或解绑银行卡时遇到的问题", 1, "1")], "n").bars[0]
    assert chinese.short_label == "添加或解绑银行卡…", "a Chinese character is twice as wide"
    assert bar_chart([Datum("银行卡", 1, "1")], "n").bars[0].short_label == "银行卡"
    assert chart.bars[0].label == "Adding or removing a bank card"


def test_columns_share_the_axis_with_the_line_and_label_at_most_ten_dates() -> None:
    days = [Datum(f"11-{day:02d}", day % 3, str(day % 3)) for day in range(1, 31)]
    chart = column_chart(days, "Cases", line=[4.0] * 30)
    assert [t.text for t in chart.ticks] == ["0", "5"], "no tick at half a case"
    assert sum(c.label_shown for c in chart.columns) == 10
    tallest = max(chart.columns, key=lambda c: c.height)
    assert tallest.height == pytest.approx(COLUMN_HEIGHT * 2 / 5)
    assert tallest.y + tallest.height == chart.baseline
    first_point = chart.line_points.split(" ")[0]
    assert first_point.endswith(f",{round(chart.baseline - COLUMN_HEIGHT * 4 / 5, 1)}")
    assert len(chart.line_points.split(" ")) == 30
    assert column_chart([], "Cases").columns == []


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_stays_text() -> None:
    table = Table(
        "queues",
        "队列",
        ["队列", "等待中"],
        [['=HYPERLINK("http://evil.example")', "1"], ["中文队列", "0"], ["@SUM(A1)", "2"]],
    )
    lines = list(csv_lines(table))
    assert lines[0] == "\ufeff队列,等待中\r\n"
    assert lines[1] == '"\'=HYPERLINK(""http://evil.example"")",1\r\n'
    assert lines[2:] == ["中文队列,0\r\n", "'@SUM(A1),2\r\n"]
    assert "".join(lines).count("\ufeff") == 1
