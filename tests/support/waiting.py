"""Waiting for work that happens after a reply, without sleeping a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], *, within: float = 5.0,
                     interval: float = 0.02) -> T:
    """Poll ``check`` until it returns something truthy (work that happens after a reply)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(interval)
