"""The closures a compiled condition becomes, and the three-valued (Kleene) `all`, `any` and
`not` that combine them: a comparison with an unknown (None) feature is unknown, and an unknown
never fires a rule. `expressions` parses a condition line into one of these.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from walletdesk.risk.features import FeatureValue

Features = Mapping[str, FeatureValue]
Predicate = Callable[[Features], bool | None]

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


def compare(name: str, op: str, value: object) -> Predicate:
    test = COMPARISONS[op]

    def predicate(features: Features) -> bool | None:
        current = features.get(name)
        return None if current is None else test(current, value)

    return predicate


def compare_features(name: str, op: str, factor: Fraction, other: str) -> Predicate:
    test = COMPARISONS[op]
    numerator, denominator = factor.numerator, factor.denominator

    def predicate(features: Features) -> bool | None:
        left, right = features.get(name), features.get(other)
        if left is None or right is None:
            return None
        assert isinstance(left, int) and isinstance(right, int)
        return test(left * denominator, right * numerator)

    return predicate


def membership(name: str, members: frozenset[int | bool | str], inside: bool) -> Predicate:
    def predicate(features: Features) -> bool | None:
        current = features.get(name)
        return None if current is None else (current in members) is inside

    return predicate


def between(name: str, low: int, high: int) -> Predicate:
    def predicate(features: Features) -> bool | None:
        current = features.get(name)
        if current is None:
            return None
        assert isinstance(current, int)
        return low <= current <= high

    return predicate


def is_none(name: str, wanted: bool) -> Predicate:
    def predicate(features: Features) -> bool | None:
        return (features.get(name) is None) is wanted

    return predicate


def all_of(parts: Sequence[Predicate]) -> Predicate:
    def predicate(features: Features) -> bool | None:
        unknown = False
        for part in parts:
            result = part(features)
            if result is False:
                return False
            if result is None:
                unknown = True
        return None if unknown else True

    return predicate


def any_of(parts: Sequence[Predicate]) -> Predicate:
    def predicate(features: Features) -> bool | None:
        unknown = False
        for part in parts:
            result = part(features)
            if result is True:
                return True
            if result is None:
                unknown = True
        return None if unknown else False

    return predicate


def not_of(part: Predicate) -> Predicate:
    def predicate(features: Features) -> bool | None:
        result = part(features)
        return None if result is None else not result

    return predicate
