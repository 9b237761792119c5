"""Charts as plain numbers for SVG templates: horizontal bars (one per category) and columns
over time with an optional line, each with a value axis (ticks at "nice" round numbers).

Like `wallet_chart.py` (the wallet's monthly bill), the geometry is in the units of the SVG's
viewBox, so the browser scales a chart to any screen; no script draws anything. The page shows
the same numbers in a table beside each chart, for screen readers and for the CSV export.
Labels arrive translated: nothing here knows a language.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Final

WIDTH: Final = 360
"""Small enough that 12-unit text stays readable on a 375 px phone (about 10 px there)."""
LABEL_WIDTH: Final = 112
"""Room left of the bars for the category names (longer names are cut with "…")."""
LABEL_ROOM: Final = 17
"""How many Latin letters fit beside a bar; a Chinese character takes the room of two."""
ROW: Final = 26
BAR: Final = 16
AXIS_ROOM: Final = 34
"""Below the plot: tick labels and the axis title."""
VALUE_ROOM: Final = 58
"""Right of the longest bar: its value."""
MIN_BAR: Final = 1.5
"""A non-zero value still shows a sliver."""

COLUMN_HEIGHT: Final = 160
COLUMN_LEFT: Final = 44
COLUMN_TOP: Final = 12
COLUMN_BOTTOM_ROOM: Final = 40
COLUMN_LABELS_MAX: Final = 10
"""At most this many dates under the columns (every n-th one when there are more)."""


@dataclass(frozen=True)
class Datum:
    label: str
    value: float
    """Non-negative."""
    value_text: str


@dataclass(frozen=True)
class Tick:
    position: float
    """x for a bar chart's axis, y for a column chart's."""
    text: str


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10ⁿ at or above `value` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _tick_shares(top: float) -> tuple[float, ...]:
    """0, the middle and the end of the axis; no middle tick when it would be a fraction of a
    whole axis (counts of cases are whole numbers)."""
    middle = top / 2
    return (0, 1) if top >= 1 and not middle.is_integer() else (0, 0.5, 1)


def _tick_text(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _room(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _short(label: str) -> str:
    """`label`, cut with "…" when it would run into the bars."""
    if sum(_room(c) for c in label) <= LABEL_ROOM:
        return label
    used, kept = 0, []
    for char in label:
        used += _room(char)
        if used > LABEL_ROOM - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


@dataclass(frozen=True)
class PlacedBar:
    label: str
    short_label: str
    value_text: str
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[PlacedBar]
    ticks: list[Tick]
    axis_title: str
    width: int
    height: int
    plot_height: float
    label_x: int = LABEL_WIDTH - 6
    bar_x: int = LABEL_WIDTH
    bar_height: int = BAR


def bar_chart(data: list[Datum], axis_title: str, *, maximum: float | None = None) -> BarChart:
    """Horizontal bars scaled to `maximum` (default: a round number above the largest)."""
    top = maximum or nice_ceiling(max((d.value for d in data), default=0))
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for index, datum in enumerate(data):
        width = round(min(datum.value, top) / top * room, 1)
        if datum.value > 0:
            width = max(width, MIN_BAR)
        y = index * ROW + (ROW - BAR) / 2
        bars.append(
            PlacedBar(
                label=datum.label,
                short_label=_short(datum.label),
                value_text=datum.value_text,
                y=y,
                width=width,
                text_y=y + BAR / 2,
                value_x=LABEL_WIDTH + width + 4,
            )
        )
    plot_height = max(len(data), 1) * ROW
    ticks = [
        Tick(round(LABEL_WIDTH + share * room, 1), _tick_text(top * share))
        for share in _tick_shares(top)
    ]
    return BarChart(
        bars=bars,
        ticks=ticks,
        axis_title=axis_title,
        width=WIDTH,
        height=plot_height + AXIS_ROOM,
        plot_height=plot_height,
    )


@dataclass(frozen=True)
class PlacedColumn:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    label_shown: bool
    label_x: float


@dataclass(frozen=True)
class ColumnChart:
    columns: list[PlacedColumn]
    line_points: str
    """SVG polyline points of the second series ("" when there is none)."""
    ticks: list[Tick]
    axis_title: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: float
    label_y: float


def column_chart(
    data: list[Datum], axis_title: str, *, line: list[float] | None = None
) -> ColumnChart:
    """Columns over time (one per day or week), with `line` (same length) drawn across them."""
    line_values = line or []
    largest = max([d.value for d in data] + line_values, default=0)
    top = nice_ceiling(largest)
    plot_right = WIDTH - 8
    room = plot_right - COLUMN_LEFT
    slot = room / max(len(data), 1)
    width = max(round(slot * 0.7, 1), 1.0)
    baseline = COLUMN_TOP + COLUMN_HEIGHT
    every = max(1, math.ceil(len(data) / COLUMN_LABELS_MAX))
    columns = []
    for index, datum in enumerate(data):
        height = round(datum.value / top * COLUMN_HEIGHT, 1)
        if datum.value > 0:
            height = max(height, MIN_BAR)
        x = round(COLUMN_LEFT + index * slot + (slot - width) / 2, 1)
        columns.append(
            PlacedColumn(
                label=datum.label,
                value_text=datum.value_text,
                x=x,
                y=round(baseline - height, 1),
                width=width,
                height=height,
                label_shown=index % every == 0,
                label_x=round(x + width / 2, 1),
            )
        )
    points = " ".join(
        f"{round(COLUMN_LEFT + (i + 0.5) * slot, 1)},"
        f"{round(baseline - value / top * COLUMN_HEIGHT, 1)}"
        for i, value in enumerate(line_values)
    )
    ticks = [
        Tick(round(baseline - share * COLUMN_HEIGHT, 1), _tick_text(top * share))
        for share in _tick_shares(top)
    ]
    return ColumnChart(
        columns=columns,
        line_points=points,
        ticks=ticks,
        axis_title=axis_title,
        width=WIDTH,
        height=baseline + COLUMN_BOTTOM_ROOM,
        plot_left=COLUMN_LEFT,
        plot_right=plot_right,
        baseline=baseline,
        label_y=baseline + 14,
    )
