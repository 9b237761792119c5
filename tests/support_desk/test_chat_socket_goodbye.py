"""A socket our side has already closed ends its read loop quietly (session 5's bench logged a
`WebSocketDisconnected` traceback for every inbox socket closed that way)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from walletdesk.api.chat_ws import frames_of


class _Socket:
    """What `frames_of` reads: `iter_text`, which yields the frames, then ends as Starlette's
    does in the given way."""

    def __init__(self, frames: list[str], end: BaseException | None) -> None:
        self.frames, self.end = frames, end

    async def iter_text(self) -> AsyncIterator[str]:
        for frame in self.frames:
            yield frame
        if self.end is not None:
            raise self.end


def _read(socket: _Socket) -> list[str]:
    async def read() -> list[str]:
        return [text async for text in frames_of(cast(WebSocket, socket))]

    return asyncio.run(read())


def test_frames_end_quietly_when_our_side_closed_the_socket_first() -> None:
    closed = WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')
    assert _read(_Socket(['{"type":"typing"}', '{"type":"read"}'], closed)) == [
        '{"type":"typing"}',
        '{"type":"read"}',
    ]


def test_frames_end_when_the_client_leaves() -> None:
    assert _read(_Socket(["one"], None)) == ["one"]


def test_any_other_failure_still_surfaces() -> None:
    failure: Any = ValueError("a real fault")
    with pytest.raises(ValueError):
        _read(_Socket(["one"], failure))
    # A client's close frame is Starlette's own business (iter_text swallows it), not ours.
    with pytest.raises(WebSocketDisconnect):
        _read(_Socket([], WebSocketDisconnect(1000)))
