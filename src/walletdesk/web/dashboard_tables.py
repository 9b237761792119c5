"""What every dashboard panel is made of: a table (also its CSV export) with an optional chart,
and how the figures are written in it: durations in minutes with one decimal, shares as
percentages, "—" where there is nothing to measure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from walletdesk.i18n import translate
from walletdesk.web.svg_charts import BarChart, ColumnChart, Datum, bar_chart

NOTHING: Final = "—"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Panel:
    table: Table
    chart: BarChart | ColumnChart | None = None
    chart_title: str = ""
    chart_desc: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)
    """(css class, translated name) for charts with more than one series."""


def table(
    key: str, title: str, columns: Sequence[str], rows: list[list[str]], locale: str
) -> Table:
    """A panel's table; `title` and `columns` are msgids, put in the reader's language."""
    return Table(key, translate(title, locale), [translate(c, locale) for c in columns], rows)


def bar_panel(
    shown: Table,
    bars: list[Datum],
    axis: str,
    title: str,
    desc: str,
    locale: str,
    *,
    maximum: float | None = None,
    **desc_params: object,
) -> Panel:
    """`shown` with a bar chart of `bars`; `axis`, the chart's `title` and its `desc` (with
    `desc_params`) are msgids, put in the reader's language."""
    return Panel(
        shown,
        bar_chart(bars, translate(axis, locale), maximum=maximum),
        translate(title, locale),
        translate(desc, locale, **desc_params),
    )


def share_bar(label: str, share: float | None) -> Datum:
    """A bar for a share, on a chart drawn against 100 (`maximum=100`)."""
    return Datum(label, (share or 0) * 100, percent(share))


def percent(share: float | None) -> str:
    return NOTHING if share is None else f"{share * 100:.1f}%"


def minutes(seconds: float | None) -> str:
    return NOTHING if seconds is None else f"{seconds / 60:.1f}"


def number(value: float | None, digits: int = 2) -> str:
    return NOTHING if value is None else f"{value:.{digits}f}"


def named(names: Mapping[str, str], key: str, locale: str) -> str:
    return translate(names[key], locale) if key in names else key
