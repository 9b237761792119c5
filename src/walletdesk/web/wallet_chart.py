"""A horizontal bar chart as plain numbers for an SVG template: one bar per row, scaled to the
largest, with its label on the left and its value after the bar.

The geometry is in the units of the SVG's viewBox (`WIDTH` wide), so the browser scales the
chart to any screen; the page shows the same numbers in a table for screen readers and for
anyone who prefers text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

WIDTH: Final = 360
ROW: Final = 34
BAR: Final = 20
LABEL_WIDTH: Final = 92
BAR_START: Final = LABEL_WIDTH + 8
BAR_ROOM: Final = 160
"""Room for the longest bar; the rest of the width holds its value."""
MIN_BAR: Final = 2.0
"""A category with a tiny total still shows a sliver."""


@dataclass(frozen=True)
class ChartRow:
    label: str
    magnitude: int
    """Non-negative size of the bar (minor units)."""
    value_text: str
    tone: str
    """"in" or "out": the bar's colour."""


@dataclass(frozen=True)
class PlacedBar:
    label: str
    value_text: str
    tone: str
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[PlacedBar]
    width: int
    height: int
    label_x: int = LABEL_WIDTH
    bar_x: int = BAR_START
    bar_height: int = BAR


def bar_chart(rows: list[ChartRow]) -> BarChart:
    largest = max((row.magnitude for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        share = row.magnitude / largest if largest else 0.0
        width = max(round(share * BAR_ROOM, 1), MIN_BAR)
        top = index * ROW + (ROW - BAR) / 2
        bars.append(
            PlacedBar(
                label=row.label,
                value_text=row.value_text,
                tone=row.tone,
                y=top,
                width=width,
                text_y=top + BAR / 2,
                value_x=BAR_START + width + 6,
            )
        )
    return BarChart(bars=bars, width=WIDTH, height=max(len(rows), 1) * ROW)
