"""The macro reads behind the admin pages, on a real database: every macro (shipped, stored
and retired ones) and one macro by shortcut."""

from __future__ import annotations

import pytest

from walletdesk.audit.services import Actor
from walletdesk.runtime import Runtime
from walletdesk.support import macros


def test_every_macro_lists_retired_and_stored_ones_and_find_macro_reads_one(
    rt: Runtime,
) -> None:
    editor = Actor.staff("usr_editor")
    macros.save_macro(
        rt, editor, macros.Macro("refund_delay", "退款延迟", "Refund delayed", "请稍候。", "Wait.")
    )
    macros.retire_macro(rt, editor, "greet")

    everything = {m.shortcut: m for m in macros.every_macro(rt)}
    assert "refund_delay" in everything and everything["greet"].active is False
    assert list(everything) == sorted(everything)
    assert "greet" not in {m.shortcut for m in macros.list_macros(rt)}
    assert macros.find_macro(rt, "refund_delay").title_en == "Refund delayed"
    assert macros.find_macro(rt, "closing").updated_by is None
    with pytest.raises(macros.MacroNotFound):
        macros.find_macro(rt, "no_such_macro")
