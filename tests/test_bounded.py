"""The runtime's memos stay under their ceiling and keep what they learned last."""

from __future__ import annotations

import pytest

from walletdesk.bounded import BoundedMemo


def test_a_full_memo_forgets_what_it_learned_first() -> None:
    memo: BoundedMemo[str, str] = BoundedMemo(ceiling=3)
    memo.update({"a": "1", "b": "2"})
    memo.setdefault("c", "3")
    memo.setdefault("d", "4")
    assert len(memo) == 3
    assert memo.get("a") is None and "a" not in memo
    assert [memo.get(k) for k in "bcd"] == ["2", "3", "4"]


def test_a_known_key_keeps_its_first_value_and_takes_no_room() -> None:
    memo: BoundedMemo[str, str] = BoundedMemo(ceiling=2)
    assert memo.setdefault("acc", "first") == "first"
    assert memo.setdefault("acc", "second") == "first"
    memo.update({"acc": "third", "other": "x"})
    assert len(memo) == 2 and memo.get("acc") == "first"


def test_a_memo_needs_room_for_one() -> None:
    with pytest.raises(ValueError, match="ceiling"):
        BoundedMemo(ceiling=0)
