"""The supervisor dashboard's panels for a period: what the metrics services return, shaped
as tables and charts for the page and the CSV export, in the reader's language.

Every panel is one `Table` (its key names the CSV export) with an optional chart of one of
its columns. The figures are the services' own (`support.metrics`, `bot.metrics`, the routing
queue board in `dashboard_live.py`); nothing here counts or decides anything.
"""

from __future__ import annotations

from typing import Final

from walletdesk.bot.catalogue import TITLES as INTENT_TITLES
from walletdesk.bot.metrics import UNKNOWN, BotMetrics, bot_metrics
from walletdesk.i18n import N_
from walletdesk.i18n import translate as _t
from walletdesk.runtime import Runtime
from walletdesk.support.metrics import Interval, SupportMetrics, support_metrics
from walletdesk.web.console_view import CHANNEL_NAMES, TARGET_NAMES, VERIFICATION_NAMES
from walletdesk.web.dashboard_live import live_queues, queues_panel
from walletdesk.web.dashboard_period import Period
from walletdesk.web.dashboard_tables import (
    Panel,
    Table,
    bar_panel,
    minutes,
    named,
    number,
    percent,
    share_bar,
    table,
)
from walletdesk.web.svg_charts import Datum, column_chart

OUTCOME_NAMES: Final = {
    **VERIFICATION_NAMES,
    "challenge_passed": N_("In-app check passed"),
    "challenge_failed": N_("In-app check failed"),
}
UNKNOWN_INTENT: Final = N_("Not understood")

TABLE_KEYS: Final = (
    "queues",
    "overview",
    "volume",
    "sla",
    "times",
    "channels",
    "bot",
    "verification",
)
"""Every table on the page, in page order; each is also a CSV export."""


def overview_panel(found: SupportMetrics, bot: BotMetrics, locale: str) -> Panel:
    t = found.totals
    rows = [
        (N_("Cases opened"), str(t.created)),
        (N_("Cases solved"), str(t.solved)),
        (N_("First response, average (min)"), minutes(t.first_response.average_seconds)),
        (N_("First response, median (min)"), minutes(t.first_response.median_seconds)),
        (N_("Resolution, average (min)"), minutes(t.resolution.average_seconds)),
        (N_("Resolution, median (min)"), minutes(t.resolution.median_seconds)),
        (N_("Reopen rate"), percent(t.reopen_rate)),
        (N_("CSAT responses"), str(t.csat_responses)),
        (N_("CSAT average (1–5)"), number(t.csat_average)),
        (N_("Satisfied (4 or 5)"), percent(t.csat_satisfied_share)),
        (N_("Cases started with the assistant"), str(bot.totals.cases)),
        (N_("Bot containment"), percent(bot.totals.containment_rate)),
        (N_("Handed off to people"), percent(t.handed_off_rate)),
        (N_("Cases open with people now"), str(found.backlog.total)),
    ]
    translated = [[_t(label, locale), value] for label, value in rows]
    return Panel(table("overview", N_("Overview"), [N_("Figure"), N_("Value")], translated, locale))


def volume_panel(found: SupportMetrics, weekly: bool, locale: str) -> Panel:
    date_format = "%Y-%m-%d"
    rows = [
        [b.start.strftime(date_format), str(b.figures.created), str(b.figures.solved)]
        for b in found.series
    ]
    opened, solved = _t(N_("Opened"), locale), _t(N_("Solved"), locale)
    chart = column_chart(
        [
            Datum(b.start.strftime("%m-%d"), b.figures.created, str(b.figures.created))
            for b in found.series
        ],
        _t(N_("Cases"), locale),
        line=[float(b.figures.solved) for b in found.series],
    )
    first_column = _t(N_("Week from") if weekly else N_("Day"), locale)
    return Panel(
        Table(
            "volume",
            _t(N_("Cases opened and solved"), locale),
            [first_column, opened, solved],
            rows,
        ),
        chart,
        _t(
            N_("Cases opened (columns) and solved (line) per week")
            if weekly
            else N_("Cases opened (columns) and solved (line) per day"),
            locale,
        ),
        _t(
            N_("{opened} cases opened and {solved} solved in the period."),
            locale,
            opened=found.totals.created,
            solved=found.totals.solved,
        ),
        legend=[("key-columns", opened), ("key-line", solved)],
    )


def sla_panel(found: SupportMetrics, locale: str) -> Panel:
    targets = found.totals.sla
    rows = [
        [
            named(TARGET_NAMES, kind, locale),
            str(f.on_time),
            str(f.late),
            percent(f.attainment),
        ]
        for kind, f in targets.items()
    ]
    return bar_panel(
        table(
            "sla",
            N_("SLA attainment"),
            [N_("Target"), N_("On time"), N_("Late"), N_("Attainment")],
            rows,
            locale,
        ),
        [share_bar(named(TARGET_NAMES, kind, locale), f.attainment) for kind, f in targets.items()],
        N_("Met on time (%)"),
        N_("Share of SLA targets met on time"),
        N_("Each bar is one SLA target; 100% means every case met it."),
        locale,
        maximum=100,
    )


def times_panel(found: SupportMetrics, locale: str) -> Panel:
    t = found.totals
    kinds = [
        (_t(N_("First response"), locale), t.first_response),
        (_t(N_("Resolution"), locale), t.resolution),
    ]
    rows = [
        [name, str(d.count), minutes(d.average_seconds), minutes(d.median_seconds)]
        for name, d in kinds
    ]
    return bar_panel(
        table(
            "times",
            N_("First response and resolution times"),
            [N_("Measure"), N_("Cases"), N_("Average (min)"), N_("Median (min)")],
            rows,
            locale,
        ),
        [
            Datum(name, (d.average_seconds or 0) / 60, minutes(d.average_seconds))
            for name, d in kinds
        ],
        N_("Average (min)"),
        N_("Average first response and resolution time in minutes"),
        N_("First response counts from when a case reached people to their first answer."),
        locale,
    )


def channels_panel(found: SupportMetrics, locale: str) -> Panel:
    groups = found.by_channel
    rows = [
        [
            named(CHANNEL_NAMES, g.key, locale),
            str(g.figures.created),
            str(g.figures.solved),
            minutes(g.figures.first_response.average_seconds),
            number(g.figures.csat_average),
        ]
        for g in groups
    ]
    return bar_panel(
        table(
            "channels",
            N_("Volume by channel"),
            [
                N_("Channel"),
                N_("Opened"),
                N_("Solved"),
                N_("First response, average (min)"),
                N_("CSAT average (1–5)"),
            ],
            rows,
            locale,
        ),
        [
            Datum(named(CHANNEL_NAMES, g.key, locale), g.figures.created, str(g.figures.created))
            for g in groups
        ],
        N_("Cases opened"),
        N_("Cases opened per channel"),
        N_("In-app chat, phone, email and WeChat cases opened in the period."),
        locale,
    )


def intent_name(intent: str, locale: str) -> str:
    if intent == UNKNOWN:
        return _t(UNKNOWN_INTENT, locale)
    return named(INTENT_TITLES, intent, locale)


def bot_panel(bot: BotMetrics, locale: str) -> Panel:
    rows = [
        [
            intent_name(intent, locale),
            str(c.cases),
            str(c.contained),
            str(c.handed_off),
            percent(c.containment_rate),
        ]
        for intent, c in bot.by_intent.items()
    ]
    return bar_panel(
        table(
            "bot",
            N_("Bot containment per intent"),
            [N_("Intent"), N_("Cases"), N_("Contained"), N_("Handed off"), N_("Containment")],
            rows,
            locale,
        ),
        [
            share_bar(intent_name(intent, locale), c.containment_rate)
            for intent, c in bot.by_intent.items()
        ],
        N_("Contained (%)"),
        N_("Share of the assistant's cases it solved without people, per intent"),
        N_("A case counts under the first question the assistant understood."),
        locale,
        maximum=100,
    )


def verification_panel(found: SupportMetrics, locale: str) -> Panel:
    outcomes = found.totals.verification
    rows = [[named(OUTCOME_NAMES, k, locale), str(v)] for k, v in outcomes.items()]
    return bar_panel(
        table(
            "verification", N_("Verification outcomes"), [N_("Outcome"), N_("Count")], rows, locale
        ),
        [Datum(named(OUTCOME_NAMES, k, locale), v, str(v)) for k, v in outcomes.items()],
        N_("Outcomes"),
        N_("Verification outcomes in the period"),
        N_("Decisions of verification calls and in-app checks, per outcome."),
        locale,
    )


def dashboard_panels(
    rt: Runtime, period: Period, locale: str, keys: tuple[str, ...] = TABLE_KEYS
) -> dict[str, Panel]:
    """The panels named in `keys` (default: the whole page) for `period`; the metrics are read
    only when a panel other than the live queues needs them."""
    panels: dict[str, Panel] = {}
    if "queues" in keys:
        panels["queues"] = queues_panel(live_queues(rt, locale), locale)
    if any(key != "queues" for key in keys):
        interval = Interval.WEEK if period.weekly else Interval.DAY
        found = support_metrics(rt, start=period.start, end=period.end, interval=interval)
        bot = bot_metrics(rt, start=period.start, end=period.end)
        built = {
            "overview": lambda: overview_panel(found, bot, locale),
            "volume": lambda: volume_panel(found, period.weekly, locale),
            "sla": lambda: sla_panel(found, locale),
            "times": lambda: times_panel(found, locale),
            "channels": lambda: channels_panel(found, locale),
            "bot": lambda: bot_panel(bot, locale),
            "verification": lambda: verification_panel(found, locale),
        }
        panels |= {key: built[key]() for key in keys if key in built}
    return {key: panels[key] for key in keys if key in panels}
