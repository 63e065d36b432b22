"""PTB's offline request idiom, for unit tests of whole updates and for benchmarks: every Bot API
call is answered at once, and what the bot sent to each chat is kept to be read back."""

from __future__ import annotations

import itertools
import json
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

BOT = {"id": 7000000001, "is_bot": True, "first_name": "KinBridge", "username": "KinBridgeBot"}


class OfflineBotApi(BaseRequest):
    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.sent: dict[int, list[dict[str, Any]]] = {}
        self.calls = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        self.calls += 1
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        result: Any = True
        if name == "getMe":
            result = BOT
        elif name == "getUpdates":
            result = []
        elif name == "answerCallbackQuery":
            self.sent.setdefault(-1, []).append({"method": name})
        elif name.startswith(("send", "copy", "edit")):
            chat_id = int(params.get("chat_id") or 0)
            markup = params.get("reply_markup")
            if isinstance(markup, str):
                params["reply_markup"] = json.loads(markup)
            entry = {"method": name, **params}
            self.sent.setdefault(chat_id, []).append(entry)
            result = {"message_id": next(self.ids), "date": 0, "text": str(params.get("text", "")),
                      "chat": {"id": chat_id, "type": "private"}, "from": BOT}
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def keyboard(self, chat_id: int) -> list[list[dict[str, str]]]:
        """The buttons of the last message sent to the chat (what the person can press now)."""
        for entry in reversed(self.sent.get(chat_id, [])):
            if entry["method"] == "sendMessage":
                return (entry.get("reply_markup") or {}).get("inline_keyboard") or []
        return []

    def texts(self, chat_id: int) -> list[str]:
        return [str(m.get("text") or m.get("caption") or "") for m in self.sent.get(chat_id, [])
                if m["method"] in ("sendMessage", "sendPhoto", "sendDocument", "copyMessage")]


class Updates:
    """Builds updates the way Telegram sends them."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.ids = itertools.count(1)

    def user(self, uid: int) -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": f"u{uid}", "language_code": "zh-hans"}

    def text(self, uid: int, text: str, chat_id: int | None = None) -> Update:
        chat = {"id": chat_id or uid, "type": "private" if not chat_id or chat_id > 0 else "group"}
        message: dict[str, Any] = {"message_id": next(self.ids), "date": 0, "text": text,
                                   "chat": chat, "from": self.user(uid)}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return Update.de_json({"update_id": next(self.ids), "message": message}, self.bot)

    def press(self, uid: int, data: str) -> Update:
        return Update.de_json({"update_id": next(self.ids), "callback_query": {
            "id": str(next(self.ids)), "from": self.user(uid), "chat_instance": "1", "data": data,
            "message": {"message_id": next(self.ids), "date": 0, "text": "?", "from": BOT,
                        "chat": {"id": uid, "type": "private"}}}}, self.bot)
