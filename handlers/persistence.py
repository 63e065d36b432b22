"""PTB persistence that keeps ConversationHandler states only, in our SQLite store.

It lives in handlers/ (not db/) because it subclasses a Telegram class; the SQL is in
db/conversations.py. Domain data never goes into user_data/chat_data/bot_data.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from db.database import Database


class ConversationStatePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database | None = None, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=False,
                                        callback_data=False),
            update_interval=update_interval,
        )
        self.db = db

    def attach(self, db: Database) -> None:
        self.db = db

    def _require_db(self) -> Database:
        if self.db is None:
            raise RuntimeError("persistence used before the database was opened")
        return self.db

    async def get_conversations(self, name: str) -> ConversationDict:
        return await self._require_db().read(lambda s: s.conversations.all_for(name))

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._require_db().write(lambda s: s.conversations.set(name, key, new_state))

    # Nothing else is persisted: the rest of the interface is intentionally empty.
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
