"""The server's garbage collector: what it loads for its lifetime is frozen out of collection.

CPython's full (generation 2) collection walks every container object the process has. The
server keeps many for its whole life (modules, SQLAlchemy's compiled statements, the bot's
model and jieba's dictionary), and each full collection walked them all again: 60-150 ms
pauses in the chat server, each one stalling every message in flight (the p99 of
`walletdesk bench chat`, docs/benchmarks.md). `gc.freeze()` moves the objects alive at that
moment to a permanent generation that collections skip; objects made later are collected as
before.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterable
from typing import Final

logger = logging.getLogger(__name__)

WARM_UP_WAIT_SECONDS = 600.0
"""The longest the freeze waits for a warm-up (training a bot model on a slow machine)."""


FULL_COLLECTION_EVERY: Final = 100
"""Generation-1 collections between full ones (CPython's default is 10). A full collection
still walks everything made since the freeze, and each open chat socket keeps a few hundred
objects (its ASGI middleware coroutines, the protocol's buffers): with 2,000 sockets a full
collection took 150-230 ms on the 2-core VM. Ten times rarer, that pause stays out of nearly
every message's way; cyclic garbage waits a little longer to be freed (objects without cycles
are freed at once by reference counting, as always)."""


def freeze_long_lived() -> int:
    """Collect once, then freeze every object alive now and make full collections rarer;
    returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
    return gc.get_freeze_count()


def freeze_after(warm_ups: Iterable[threading.Thread]) -> threading.Thread:
    """Freeze once the given warm-up threads have loaded what they keep (in the background,
    so the server answers meanwhile)."""
    waiting = list(warm_ups)

    def run() -> None:
        started = time.monotonic()
        for thread in waiting:
            thread.join(max(0.0, WARM_UP_WAIT_SECONDS - (time.monotonic() - started)))
        frozen = freeze_long_lived()
        logger.info("heap frozen objects=%d", frozen)

    thread = threading.Thread(target=run, name="heap-freeze", daemon=True)
    thread.start()
    return thread
