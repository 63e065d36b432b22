"""The sandbox's world: users, chats, messages, pending updates, files, and the sent log."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

BOT_ID = 7000000001
BOT_USERNAME = "KinBridgeSandboxBot"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "KinBridge 亲情桥",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class SentRecord:
    seq: int
    method: str
    chat_id: int
    message_id: int | None
    text: str | None
    at: float


@dataclass
class World:
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    groups: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    next_message_id: dict[int, int] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    confirmed_offset: int = 0
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    sent: list[SentRecord] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    blocked_chats: set[int] = field(default_factory=set)
    stats: dict[str, int] = field(
        default_factory=lambda: {"requests": 0, "http_429": 0, "http_403": 0, "faults": 0}
    )
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    new_update: asyncio.Condition = field(default_factory=asyncio.Condition)
    new_message: asyncio.Condition = field(default_factory=asyncio.Condition)

    # ---- people and chats ------------------------------------------------------------
    def user(self, user_id: int, first_name: str | None = None,
             language_code: str | None = None) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User {user_id}"}
            if language_code:
                user["language_code"] = language_code
            self.users[user_id] = user
        else:
            if first_name:
                user["first_name"] = first_name
            if language_code:
                user["language_code"] = language_code
        return user

    def chat(self, chat_id: int) -> dict[str, Any] | None:
        if chat_id in self.users:
            u = self.users[chat_id]
            return {"id": chat_id, "type": "private", "first_name": u["first_name"]}
        return self.groups.get(chat_id)

    def group(self, chat_id: int, title: str) -> dict[str, Any]:
        return self.groups.setdefault(
            chat_id, {"id": chat_id, "type": "group", "title": title}
        )

    # ---- messages ----------------------------------------------------------------------
    def new_message_id(self, chat_id: int) -> int:
        value = self.next_message_id.get(chat_id, 1)
        self.next_message_id[chat_id] = value + 1
        return value

    def store_message(self, message: dict[str, Any]) -> dict[str, Any]:
        self.messages.setdefault(message["chat"]["id"], []).append(message)
        return message

    def find_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        for message in self.messages.get(chat_id, []):
            if message["message_id"] == message_id:
                return message
        return None

    def add_update(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, **update}
        self.next_update_id += 1
        self.updates.append(update)
        return update

    def confirm(self, offset: int) -> None:
        if offset > self.confirmed_offset:
            self.confirmed_offset = offset
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def pending_updates(self, limit: int) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["update_id"] >= self.confirmed_offset][:limit]

    def record_sent(self, method: str, chat_id: int, message_id: int | None,
                    text: str | None) -> None:
        self.sent.append(SentRecord(next(self._ids), method, chat_id, message_id, text,
                                    time.time()))

    def next_id(self) -> int:
        return next(self._ids)
