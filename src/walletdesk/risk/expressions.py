"""The condition language of rule files, compiled to plain Python closures.

A condition is one line: a feature, an operator and an operand.

    amount >= 10000                         amounts are yuan (CNY equivalent)
    receiver_account_age < 1d               durations need a unit: s, m, h, d
    kind in [transfer, payment]             in / not_in take a list
    amount between [9000, 9999.99]          both ends included
    amount > 3 * sender_avg_out_90d         a feature times a factor (same type)
    sender_out_sum_24h >= 0.9 * sender_in_sum_24h
    support_contact                         a true/false feature on its own means "== true"
    since_password_reset != none            none: the value is unknown

Operators: ``> >= < <= == != in not_in between``. Nothing else is read: no function calls, no
attribute access, no arithmetic beyond one factor, and only the features in
`features.FEATURES`. Comparisons use exact integers (fen, seconds, counts); a factor is kept as
a fraction. A comparison with an unknown (None) value is unknown, and `all`/`any`/`not` combine
unknowns the three-valued way (Kleene), so an unknown never fires a rule (`predicates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from walletdesk.risk.features import FEATURES, FeatureType
from walletdesk.risk.models import MovementKind
from walletdesk.risk.predicates import (
    Predicate,
    between,
    compare,
    compare_features,
    is_none,
    membership,
)

WORD_OPERATORS = ("in", "not_in", "between")
_NUMERIC = (FeatureType.COUNT, FeatureType.MONEY, FeatureType.DURATION)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_LIST = 100
_MAX_TEXT = 200

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d{1,15}(?:\.\d{1,6})?[smhd]?)(?![\w.])
    | (?P<name>[A-Za-z_]\w{0,63})(?!\w)
    | (?P<op>>=|<=|==|!=|>|<)
    | (?P<punct>[\[\],*])
    | (?P<string>'[^'\\\n]{0,200}'|"[^"\\\n]{0,200}")
    )""",
    re.VERBOSE,
)


class ConditionError(ValueError):
    """A condition that cannot be compiled; `reason` says why in plain English."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(text: str) -> tuple[list[Token], str | None]:
    """The tokens of `text`, up to the first character that starts no token; the second value
    says what stopped the reading (None when all of it was read)."""
    tokens: list[Token] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        found = _TOKEN.match(stripped, position)
        if found is None or found.lastgroup is None:
            rest = stripped[position:].split()[0][:20]
            if len(tokens) == 1:
                return tokens, f"unknown operator '{rest}'"
            return tokens, f"unexpected '{rest}'"
        tokens.append(Token(found.lastgroup, found.group(found.lastgroup)))
        position = found.end()
    return tokens, None


@dataclass(frozen=True)
class Compiled:
    predicate: Predicate
    canonical: str
    features: frozenset[str]


def compile_condition(text: str) -> Compiled:
    """Compile one condition line; raises ConditionError with the reason."""
    if len(text) > 500:
        raise ConditionError("the condition is longer than 500 characters")
    tokens, unreadable = tokenize(text)
    if not tokens:
        raise ConditionError(unreadable or "the condition is empty")
    reader = _Reader(tokens)
    name = reader.feature_name()  # an unknown feature is the clearer reason, so it comes first
    if unreadable is not None:
        raise ConditionError(unreadable)
    feature = FEATURES[name]
    if reader.done():
        if feature.type is not FeatureType.BOOL:
            raise ConditionError(f"'{name}' needs an operator and a value, e.g. '{name} > 0'")
        return Compiled(compare(name, "==", True), f"{name} == true", frozenset({name}))
    op = reader.operator()
    compiled = _operand(reader, name, feature.type, op)
    if not reader.done():
        raise ConditionError(f"unexpected '{reader.peek().text}' after the condition")
    return compiled


class _Reader:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def done(self) -> bool:
        return self.index >= len(self.tokens)

    def peek(self) -> Token:
        if self.done():
            raise ConditionError("the condition ends too early")
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise ConditionError(f"expected '{text}' but found '{token.text}'")

    def feature_name(self) -> str:
        token = self.take()
        if token.kind != "name":
            raise ConditionError(f"a condition starts with a feature name, not '{token.text}'")
        if token.text not in FEATURES:
            raise ConditionError(f"unknown feature '{token.text}'")
        return token.text

    def operator(self) -> str:
        token = self.take()
        if token.kind == "op" or (token.kind == "name" and token.text in WORD_OPERATORS):
            return token.text
        raise ConditionError(f"unknown operator '{token.text}'")


def _operand(reader: _Reader, name: str, kind: FeatureType, op: str) -> Compiled:
    used = frozenset({name})
    if op in ("in", "not_in"):
        if kind not in (FeatureType.TEXT, *_NUMERIC):
            raise ConditionError(f"'{name}' is true or false: use == or !=")
        values = _literal_list(reader, name, kind)
        rendered = ", ".join(_render(v, kind) for v in values)
        members = frozenset(values)
        return Compiled(membership(name, members, op == "in"), f"{name} {op} [{rendered}]", used)
    if op == "between":
        if kind not in _NUMERIC:
            raise ConditionError(f"'between' needs a number, and '{name}' is not one")
        low, high = _literal_list(reader, name, kind, exactly=2)
        assert isinstance(low, int) and isinstance(high, int)
        if low > high:
            raise ConditionError("'between [low, high]' needs low <= high")
        text = f"{name} between [{_render(low, kind)}, {_render(high, kind)}]"
        return Compiled(between(name, low, high), text, used)
    token = reader.peek()
    if token.kind == "name" and token.text == "none":
        reader.take()
        if op not in ("==", "!="):
            raise ConditionError("none (unknown) can only be compared with == or !=")
        return Compiled(is_none(name, op == "=="), f"{name} {op} none", used)
    if kind in (FeatureType.BOOL, FeatureType.TEXT) and op not in ("==", "!="):
        raise ConditionError(f"'{name}' can only be compared with == or != (or in, not_in)")
    factor = Fraction(1)
    if token.kind == "number" and len(reader.tokens) > reader.index + 1:
        following = reader.tokens[reader.index + 1]
        if following.text == "*":
            factor = _factor(reader.take().text)
            reader.take()
            token = reader.peek()
            if token.kind != "name" or token.text not in FEATURES:
                raise ConditionError(f"unknown feature '{token.text}' after '*'")
    if token.kind == "name" and token.text in FEATURES and kind in _NUMERIC:
        other = reader.take().text
        if FEATURES[other].type is not kind:
            raise ConditionError(
                f"'{name}' ({kind}) cannot be compared with '{other}' ({FEATURES[other].type})"
            )
        times = "" if factor == 1 else f"{_fraction_text(factor)} * "
        return Compiled(
            compare_features(name, op, factor, other),
            f"{name} {op} {times}{other}",
            frozenset({name, other}),
        )
    if factor != 1:
        raise ConditionError("a factor must multiply a feature, e.g. '3 * sender_avg_out_90d'")
    value = _literal(reader.take(), name, kind)
    return Compiled(compare(name, op, value), f"{name} {op} {_render(value, kind)}", used)


def _literal_list(
    reader: _Reader, name: str, kind: FeatureType, *, exactly: int | None = None
) -> list[int | bool | str]:
    reader.expect("[")
    values: list[int | bool | str] = []
    while True:
        values.append(_literal(reader.take(), name, kind))
        token = reader.take()
        if token.text == "]":
            break
        if token.text != ",":
            raise ConditionError(f"expected ',' or ']' but found '{token.text}'")
        if len(values) >= _MAX_LIST:
            raise ConditionError(f"a list holds at most {_MAX_LIST} values")
    if exactly is not None and len(values) != exactly:
        raise ConditionError("'between' takes exactly two values: [low, high]")
    return values


def _literal(token: Token, name: str, kind: FeatureType) -> int | bool | str:
    if kind is FeatureType.BOOL:
        if token.kind == "name" and token.text in ("true", "false"):
            return token.text == "true"
        raise ConditionError(f"'{name}' is true or false, not '{token.text}'")
    if kind is FeatureType.TEXT:
        return _text_literal(token, name)
    if token.kind != "number":
        if token.kind == "name" and token.text not in FEATURES:
            raise ConditionError(f"unknown feature '{token.text}'")
        raise ConditionError(f"'{name}' needs a number here, not '{token.text}'")
    text = token.text
    unit = text[-1] if text[-1] in _UNITS else None
    number = _decimal(text[:-1] if unit else text)
    if kind is FeatureType.DURATION:
        if unit is None:
            raise ConditionError(f"'{name}' is a duration: give a unit, e.g. 30s, 5m, 24h, 90d")
        seconds = number * _UNITS[unit]
        if seconds != seconds.to_integral_value():
            raise ConditionError(f"'{text}' is not a whole number of seconds")
        return int(seconds)
    if unit is not None:
        raise ConditionError(f"'{name}' is not a duration: write the number without '{unit}'")
    if kind is FeatureType.MONEY:
        fen = number * 100
        if fen != fen.to_integral_value():
            raise ConditionError(f"'{text}' has more than two decimal places (yuan and fen)")
        return int(fen)
    if number != number.to_integral_value():
        raise ConditionError(f"'{name}' is a count: '{text}' must be a whole number")
    return int(number)


def _text_literal(token: Token, name: str) -> str:
    if token.kind == "string":
        value = token.text[1:-1]
    elif token.kind == "name":
        value = token.text
    else:
        raise ConditionError(f"'{name}' is text: write a word or a quoted string")
    if name == "kind" and value not in MovementKind.__members__.values():
        kinds = ", ".join(MovementKind)
        raise ConditionError(f"unknown kind '{value}': use one of {kinds}")
    if name == "currency" and not re.fullmatch(r"[A-Z]{3}", value):
        raise ConditionError(f"'{value}' is not a currency code such as CNY")
    return value[:_MAX_TEXT]


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # the token pattern makes this unreachable in practice
        raise ConditionError(f"'{text}' is not a number") from exc


def _factor(text: str) -> Fraction:
    if text[-1] in _UNITS:
        raise ConditionError(f"a factor is a plain number, not '{text}'")
    return Fraction(_decimal(text))


def _fraction_text(value: Fraction) -> str:
    return str(Decimal(value.numerator) / Decimal(value.denominator))


def _render(value: int | bool | str, kind: FeatureType) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if kind is FeatureType.MONEY:
        return str(Decimal(value).scaleb(-2).normalize()) if value % 100 else str(value // 100)
    if kind is FeatureType.DURATION:
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if value % size == 0 and value:
                return f"{value // size}{unit}"
        return f"{value}s"
    return str(value)
