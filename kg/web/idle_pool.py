"""Idle things (query worker processes) handed out first come, first served, to threads that block
and to coroutines that await alike, each waiting at most a given time."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Claim(Generic[T]):
    """One taker waiting for an idle item: `offer` hands it one unless the taker has given up."""

    def __init__(self, wake: Callable[[], object]) -> None:
        self._lock = threading.Lock()
        self._wake = wake
        self.item: T | None = None
        self.given_up = False

    def offer(self, item: T) -> bool:
        with self._lock:
            if self.given_up:
                return False
            self.item = item
        self._wake()
        return True

    def give_up(self) -> T | None:
        """The item handed over, if one was; after this call, none is."""
        with self._lock:
            self.given_up = True
            return self.item


class IdlePool(Generic[T]):
    """Idle items, handed to blocking and asyncio takers alike in the order they asked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: deque[T] = deque()
        self._claims: deque[_Claim[T]] = deque()

    def put(self, item: T) -> None:
        with self._lock:
            while self._claims:
                if self._claims.popleft().offer(item):
                    return
            self._idle.append(item)

    def _claim(self, wake: Callable[[], object]) -> T | _Claim[T]:
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            claim: _Claim[T] = _Claim(wake)
            self._claims.append(claim)
            return claim

    def take(self, seconds: float) -> T | None:
        woken = threading.Event()
        claim = self._claim(woken.set)
        if not isinstance(claim, _Claim):
            return claim
        woken.wait(seconds)
        return claim.give_up()

    async def take_async(self, seconds: float) -> T | None:
        loop = asyncio.get_running_loop()
        woken = loop.create_future()
        claim = self._claim(lambda: loop.call_soon_threadsafe(settle, woken))
        if not isinstance(claim, _Claim):
            return claim
        try:
            await asyncio.wait_for(woken, seconds)
        except TimeoutError:
            pass
        except asyncio.CancelledError:
            handed = claim.give_up()
            if handed is not None:
                self.put(handed)
            raise
        return claim.give_up()


def settle(future: asyncio.Future[None]) -> None:
    """Wake whoever awaits `future` (it may already be done, or given up on)."""
    if not future.done():
        future.set_result(None)
