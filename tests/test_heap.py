"""The serving process freezes what it loaded for its lifetime out of full collections."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from walletdesk import heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process keeps collecting everything, as before


def test_the_freeze_waits_for_the_warm_ups_then_freezes_what_they_loaded(unfrozen: None) -> None:
    loaded: list[object] = []
    go = threading.Event()

    def warm_up() -> None:
        go.wait(30)
        loaded.append({"model": [1, 2, 3]})

    warming = threading.Thread(target=warm_up)
    warming.start()
    freezer = heap.freeze_after([warming])
    assert gc.get_freeze_count() == 0, "nothing is frozen while the warm-up still loads"
    go.set()
    freezer.join(30)
    assert not freezer.is_alive()
    assert gc.get_freeze_count() > 0
    model = loaded[0]
    assert not any(o is model for o in gc.get_objects()), "the model is frozen, not collected"


def test_the_tests_apps_freeze_nothing(unfrozen: None, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from walletdesk.app import create_app
    from walletdesk.settings import Settings

    settings = Settings(env="dev", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db")
    with TestClient(create_app(settings, background_worker=False)) as client:
        client.get("/healthz")
    assert gc.get_freeze_count() == 0, "a test's app (no background work) freezes nothing"
