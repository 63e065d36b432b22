"""A small async client of the sandbox's client API: play a person, read their chat."""

from __future__ import annotations

from typing import Any

import aiohttp

BOT_ID = 7000000001


class SandboxClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90))
        return self._session

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.session.post(f"{self.base_url}{path}", json=body) as resp:
            data = await resp.json()
            if resp.status >= 400:
                raise RuntimeError(f"sandbox {path} answered {resp.status}: {data}")
            return data

    async def _get(self, path: str, **query: Any) -> Any:
        async with self.session.get(f"{self.base_url}{path}",
                                    params={k: str(v) for k, v in query.items()}) as resp:
            resp.raise_for_status()
            return await resp.json()

    # ---- acting as a person ----------------------------------------------------------
    async def user(self, user_id: int, first_name: str, language_code: str | None = None) -> Any:
        body: dict[str, Any] = {"user_id": user_id, "first_name": first_name}
        if language_code:
            body["language_code"] = language_code
        return await self._post("/sandbox/users", body)

    async def send(self, user_id: int, text: str, **extra: Any) -> dict[str, Any]:
        return await self._post("/sandbox/send", {"user_id": user_id, "text": text, **extra})

    async def voice(self, user_id: int, duration: int | None = None, **extra: Any) -> dict[str, Any]:
        """A real spoken voice note (11 s unless ``duration`` says otherwise)."""
        body = {"user_id": user_id, **extra}
        if duration is not None:
            body["duration"] = duration
        return await self._post("/sandbox/voice", body)

    async def photo(self, user_id: int, **extra: Any) -> dict[str, Any]:
        return await self._post("/sandbox/photo", {"user_id": user_id, **extra})

    async def sticker(self, user_id: int, **extra: Any) -> dict[str, Any]:
        return await self._post("/sandbox/sticker", {"user_id": user_id, **extra})

    async def press(self, user_id: int, message_id: int, data: str, **extra: Any) -> dict[str, Any]:
        return await self._post("/sandbox/press", {"user_id": user_id, "message_id": message_id,
                                                   "data": data, **extra})

    async def edit(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        return await self._post("/sandbox/edit", {"user_id": user_id, "message_id": message_id,
                                                  "text": text})

    # ---- reading -----------------------------------------------------------------------
    async def messages(self, chat_id: int, after: int = 0, wait: float = 0.0,
                       min_bot: int = 1) -> list[dict[str, Any]]:
        return await self._get(f"/sandbox/chats/{chat_id}/messages", after=after, wait=wait,
                               min_bot=min_bot)

    async def bot_messages(self, chat_id: int, after: int = 0, wait: float = 0.0,
                           min_bot: int = 1) -> list[dict[str, Any]]:
        found = await self.messages(chat_id, after=after, wait=wait, min_bot=min_bot)
        return [m for m in found if m["from"]["id"] == BOT_ID]

    async def wait_reply(self, chat_id: int, after: int, wait: float = 10.0) -> dict[str, Any]:
        """The first bot message after message ``after`` (raises if none comes in time)."""
        found = await self.bot_messages(chat_id, after=after, wait=wait)
        if not found:
            raise TimeoutError(f"no reply in chat {chat_id} within {wait}s")
        return found[0]

    async def sent(self, since: int = 0) -> list[dict[str, Any]]:
        return await self._get("/sandbox/sent", since=since)

    async def stats(self) -> dict[str, Any]:
        return await self._get("/sandbox/stats")

    async def commands(self) -> dict[str, Any]:
        return await self._get("/sandbox/commands")

    async def callback_answers(self) -> list[dict[str, Any]]:
        return await self._get("/sandbox/callback_answers")

    # ---- control -------------------------------------------------------------------
    async def fault(self, kind: str, **rule: Any) -> Any:
        return await self._post("/sandbox/faults", {"kind": kind, **rule})

    async def clear_faults(self) -> Any:
        async with self.session.delete(f"{self.base_url}/sandbox/faults") as resp:
            return await resp.json()

    async def block(self, chat_id: int, blocked: bool = True) -> Any:
        return await self._post("/sandbox/blocked", {"chat_id": chat_id, "blocked": blocked})

    async def limits(self, **settings: Any) -> Any:
        return await self._post("/sandbox/limits", settings)

    async def advance_clock(self, seconds: float) -> Any:
        return await self._post("/sandbox/clock", {"advance_s": seconds})
