"""A simulated person in the sandbox, for end-to-end tests."""

from __future__ import annotations

from typing import Any

from tests.support.handles import SandboxHandle


class Person:
    """A simulated person in the sandbox: say something, press a button, read the answer."""

    def __init__(self, sandbox: SandboxHandle, user_id: int, name: str,
                 language_code: str | None = "zh-hans") -> None:
        self.client = sandbox.client
        self.user_id = user_id
        self.name = name
        self.language_code = language_code
        self.last_seen = 0
        # read in one batch after read_until's match; kept only for the next read_until
        self.unread: list[dict[str, Any]] = []

    async def say(self, text: str, expect: int = 1) -> list[dict[str, Any]]:
        extra = {"first_name": self.name}
        if self.language_code:
            extra["language_code"] = self.language_code
        await self.client.send(self.user_id, text, **extra)
        return await self.read(expect)

    async def read(self, expect: int = 1) -> list[dict[str, Any]]:
        found = await self.client.bot_messages(self.user_id, after=self.last_seen, wait=10,
                                               min_bot=expect)
        self.unread = []
        if found:
            self.last_seen = max(m["message_id"] for m in await self.client.messages(self.user_id))
        return found

    async def press(self, message: dict[str, Any], label_part: str, expect: int = 1) -> list[dict[str, Any]]:
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if label_part in button["text"]:
                    await self.client.press(self.user_id, message["message_id"], button["callback_data"])
                    return await self.read(expect)
        raise AssertionError(f"no button {label_part!r} in {message['reply_markup']}")

    async def read_until(self, needle: str, tries: int = 5) -> str:
        """Messages can interleave with notices from the outbox: read until one has ``needle``.
        What came in the same batch after the match is kept for the next read_until (an alert
        and its follow-up can arrive together)."""
        seen = []
        for attempt in range(tries + 1):
            batch = self.unread if attempt == 0 else await self.read()
            for i, message in enumerate(batch):
                text = message.get("text") or message.get("caption") or ""
                if needle in text:
                    self.unread = batch[i + 1:]
                    return text
                seen.append(text)
        raise AssertionError(f"no message with {needle!r} in {seen}")

    @staticmethod
    def texts(messages: list[dict[str, Any]]) -> str:
        return "\n".join(m.get("text") or m.get("caption") or "" for m in messages)

    async def voice(self, expect: int = 1) -> list[dict[str, Any]]:
        await self.client.voice(self.user_id, first_name=self.name)
        return await self.read(expect)
