"""Labelled synthetic traffic for the rules PaySim cannot exercise.

`generate(seed, customers)` writes 30 days of JSON lines: accounts, devices and movements.
The same seed and size give byte-identical output (chance comes from `SeededRandom`, time
from a fixed start). Patterns, with the movements labelled fraud marked *:

- normal: customers with friends, rent, shops, top-ups; now and then a large purchase
- mule*: several victims send similar amounts to a fresh account, which forwards almost all
  of it within hours (fan-in, similar amounts, pass-through, new receiving account)
- account_takeover*: password reset and a new device, then most of the balance to a new payee;
  half of the victims had been dormant for over a year
- fake_support*: on a call with "support", the victim adds a payee and pays a "safe account"
  opened hours ago
- frequent_small*: dozens of tiny transfers to many receivers within a few hours
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from walletdesk.randomness import SeededRandom

SCENARIO_START = datetime(2026, 6, 1, tzinfo=UTC)
DAYS = 30
MERCHANTS = 40


class _Chance:
    def __init__(self, seed: int) -> None:
        self._source = SeededRandom(seed)

    def below(self, n: int) -> int:
        return self._source.randbelow(n)

    def between(self, low: int, high: int) -> int:
        return low + self._source.randbelow(high - low + 1)

    def percent(self, p: int) -> bool:
        return self._source.randbelow(100) < p

    def choice(self, items: list[str]) -> str:
        return items[self._source.randbelow(len(items))]

    def sample(self, items: list[str], k: int) -> list[str]:
        pool = list(items)
        chosen = []
        for _ in range(min(k, len(pool))):
            chosen.append(pool.pop(self._source.randbelow(len(pool))))
        return chosen

    def moment(self, start: datetime, span: timedelta) -> datetime:
        return start + timedelta(seconds=self.below(int(span.total_seconds())))


def _yuan(fen: int) -> str:
    return str(Decimal(fen).scaleb(-2).quantize(Decimal("0.01")))


@dataclass
class _Traffic:
    chance: _Chance
    accounts: dict[str, dict[str, object]] = field(default_factory=dict)
    devices: list[dict[str, object]] = field(default_factory=list)
    movements: list[dict[str, object]] = field(default_factory=list)
    balances: dict[str, int] = field(default_factory=dict)

    def account(self, user: str, opened_at: datetime, **events: datetime) -> None:
        line: dict[str, object] = {
            "type": "account",
            "id": user,
            "opened_at": opened_at.isoformat(),
        }
        line.update({name: moment.isoformat() for name, moment in events.items()})
        self.accounts[user] = line

    def device(self, user: str, device: str, first_seen_at: datetime) -> None:
        self.devices.append(
            {
                "type": "device",
                "user": user,
                "device": device,
                "first_seen_at": first_seen_at.isoformat(),
            }
        )

    def move(
        self,
        pattern: str,
        fraud: bool,
        kind: str,
        sender: str,
        receiver: str | None,
        fen: int,
        at: datetime,
        *,
        device: str | None = None,
        ip: str | None = None,
        **extra: object,
    ) -> None:
        line: dict[str, object] = {
            "type": "movement",
            "id": f"{pattern}-{len(self.movements):06d}",
            "at": at.isoformat(),
            "kind": kind,
            "sender": sender,
            "receiver": receiver,
            "amount": _yuan(fen),
            "device": device,
            "ip": ip,
            "label": int(fraud),
            "pattern": pattern,
        }
        if kind in ("transfer", "payment", "withdrawal"):
            line["sender_balance"] = _yuan(max(self.balances.get(sender, 0), 0))
            self.balances[sender] = self.balances.get(sender, 0) - fen
            if receiver is not None:
                self.balances[receiver] = self.balances.get(receiver, 0) + fen
        elif kind == "topup":
            self.balances[sender] = self.balances.get(sender, 0) + fen
        line.update(extra)
        self.movements.append(line)

    def lines(self, header: dict[str, object]) -> list[str]:
        ordered = sorted(self.movements, key=lambda m: (str(m["at"]), str(m["id"])))
        items: list[dict[str, object]] = [header]
        items += [self.accounts[user] for user in sorted(self.accounts)]
        items += sorted(self.devices, key=lambda d: (str(d["user"]), str(d["device"])))
        items += ordered
        return [json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items]


def _normal(t: _Traffic, busy: list[str]) -> None:
    shops = [f"m{number:03d}" for number in range(MERCHANTS)]
    c = t.chance
    for user in busy:
        device, ip = f"dev-{user}", f"10.{c.below(200)}.{c.below(250)}.{c.below(250) + 1}"
        opened = SCENARIO_START - timedelta(days=c.between(60, 900))
        t.account(user, opened)
        t.device(user, device, opened)
        friends = c.sample([p for p in busy if p != user], 3)
        day = timedelta(days=1)
        t.move(
            "normal",
            False,
            "topup",
            user,
            None,
            c.between(1_000, 5_000) * 100,
            SCENARIO_START,
            device=device,
            ip=ip,
        )
        for number in range(DAYS):
            start = SCENARIO_START + number * day
            if number % 7 == c.below(7):
                t.move(
                    "normal",
                    False,
                    "topup",
                    user,
                    None,
                    c.between(300, 3_000) * 100,
                    c.moment(start, day),
                    device=device,
                    ip=ip,
                )
            if c.percent(60):
                t.move(
                    "normal",
                    False,
                    "transfer",
                    user,
                    c.choice(friends),
                    c.between(1_000, 60_000),
                    c.moment(start, day),
                    device=device,
                    ip=ip,
                )
            for _ in range(c.between(0, 2)):
                t.move(
                    "normal",
                    False,
                    "payment",
                    user,
                    c.choice(shops),
                    c.between(500, 30_000),
                    c.moment(start, day),
                    device=device,
                    ip=ip,
                )
            if number == 0 and c.percent(30):
                t.move(
                    "normal",
                    False,
                    "transfer",
                    user,
                    f"landlord-{user}",
                    350_000,
                    c.moment(start, day),
                    device=device,
                    ip=ip,
                )
            if c.percent(1):
                t.move(
                    "normal",
                    False,
                    "payment",
                    user,
                    c.choice(shops),
                    c.between(10_000, 20_000) * 100,
                    c.moment(start, day),
                    device=device,
                    ip=ip,
                )


def _mules(t: _Traffic, customers: list[str], rings: int) -> None:
    c = t.chance
    for ring in range(rings):
        mule, collector = f"mule{ring:02d}", f"collector{ring:02d}"
        first = c.moment(SCENARIO_START + timedelta(days=3), timedelta(days=DAYS - 6))
        t.account(mule, first - timedelta(hours=c.between(2, 40)))
        t.account(collector, first - timedelta(days=c.between(30, 300)))
        amount = c.between(1_800, 4_800) * 100
        total = 0
        at = first
        for victim in c.sample(customers, c.between(5, 9)):
            fen = amount + c.between(-amount // 20, amount // 20)
            t.move("mule", True, "transfer", victim, mule, fen, at, device=f"dev-{victim}")
            total += fen
            at += timedelta(minutes=c.between(20, 90))
        forward = total * c.between(92, 99) // 100
        t.move(
            "mule",
            True,
            "transfer",
            mule,
            collector,
            forward,
            at + timedelta(minutes=c.between(30, 180)),
            device=f"dev-{mule}",
            ip="198.51.100.7",
        )


def _takeovers(t: _Traffic, customers: list[str], dormant: list[str]) -> None:
    c = t.chance
    for number, victim in enumerate(customers + dormant):
        at = c.moment(SCENARIO_START + timedelta(days=8), timedelta(days=DAYS - 10))
        reset = at - timedelta(minutes=c.between(10, 90))
        opened = SCENARIO_START - timedelta(days=c.between(400, 1200))
        if victim in dormant:
            t.account(victim, opened, password_reset_at=reset)
            t.device(victim, f"dev-{victim}", opened)
            t.balances[victim] = c.between(5_000, 60_000) * 100
        else:
            line = t.accounts[victim]
            line["password_reset_at"] = reset.isoformat()
        new_device = f"dev-ato-{number:02d}"
        t.device(victim, new_device, reset + timedelta(minutes=2))
        drop = f"drop{number:02d}"
        t.account(drop, SCENARIO_START - timedelta(days=c.between(20, 200)))
        balance = max(t.balances.get(victim, 0), 200_000)
        t.move(
            "account_takeover",
            True,
            "transfer",
            victim,
            drop,
            balance * c.between(95, 100) // 100,
            at,
            device=new_device,
            ip="203.0.113.9",
        )


def _fake_support(t: _Traffic, customers: list[str]) -> None:
    c = t.chance
    for number, victim in enumerate(customers):
        at = c.moment(SCENARIO_START + timedelta(days=5), timedelta(days=DAYS - 6))
        safe = f"safe{number:02d}"
        t.account(safe, at - timedelta(hours=c.between(2, 20)))
        added = at - timedelta(minutes=c.between(2, 15))
        for step in range(1 + c.below(2)):
            t.move(
                "fake_support",
                True,
                "transfer",
                victim,
                safe,
                c.between(5_000, 30_000) * 100,
                at + timedelta(minutes=7 * step),
                device=f"dev-{victim}",
                support_contact=True,
                payee_added_at=added.isoformat(),
            )


def _frequent_small(t: _Traffic, customers: list[str], bursts: int) -> None:
    c = t.chance
    for number in range(bursts):
        user = f"burst{number:02d}"
        start = c.moment(SCENARIO_START + timedelta(days=2), timedelta(days=DAYS - 3))
        t.account(user, start - timedelta(days=c.between(2, 10)))
        t.device(user, f"dev-{user}", start - timedelta(days=2))
        t.balances[user] = 100_000
        receivers = c.sample(customers, c.between(12, 20))
        for step in range(c.between(35, 45)):
            at = start + timedelta(seconds=step * c.between(120, 300))
            t.move(
                "frequent_small",
                True,
                "transfer",
                user,
                c.choice(receivers),
                c.between(100, 2_000),
                at,
                device=f"dev-{user}",
            )


def generate(seed: int, customers: int = 300) -> list[str]:
    """JSON lines: a header, the accounts, the devices, then the movements in time order."""
    if customers < 30:
        raise ValueError("scenarios need at least 30 customers")
    t = _Traffic(chance=_Chance(seed))
    people = [f"c{number:04d}" for number in range(customers)]
    dormant_count = max(1, customers // 60)
    busy = people[: customers - dormant_count]
    _normal(t, busy)
    _mules(t, busy, max(2, customers // 50))
    _takeovers(t, t.chance.sample(busy, max(1, customers // 60)), people[-dormant_count:])
    _fake_support(t, t.chance.sample(busy, max(2, customers // 30)))
    _frequent_small(t, busy, max(1, customers // 60))
    header: dict[str, object] = {
        "type": "scenario",
        "generator": "walletdesk risk scenarios",
        "seed": seed,
        "customers": customers,
        "start": SCENARIO_START.isoformat(),
        "days": DAYS,
    }
    return t.lines(header)
