"""A local stand-in for the Telegram Bot API (the subset KinBridge uses), plus a client API
through which tests and the web chat play the people on the other side.

Bot API:    POST/GET /bot<token>/<method>      (form, multipart or JSON, as PTB sends them)
Files:      GET      /file/bot<token>/<path>
Client API: /sandbox/...                       (JSON; see ``client.py``)
Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from sandbox.faults import SPELL_KINDS, FaultPlan, FaultRule, FaultSpell, FaultSpells
from sandbox.limits import LimitSettings, RateLimits
from sandbox.state import BOT_USER, World

WEB_DIR = Path(__file__).resolve().parent / "web"
MEDIA_DIR = Path(__file__).resolve().parent / "media"
WEB_FILES = {"chat.js": "text/javascript", "chat.css": "text/css", "i18n.json": "application/json",
             "bot.svg": "image/svg+xml"}
RUN_MODE_ENV = "KINBRIDGE_MODE"  # "run" while the bot talks to real Telegram
DEMO_ZONE = ZoneInfo("Asia/Shanghai")  # the demo village's time

log = logging.getLogger("sandbox")

DEFAULT_TOKEN = "123456:SANDBOX-not-a-real-token"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
OBJECT_PARAMS = {"reply_markup", "entities", "caption_entities", "commands", "scope",
                 "link_preview_options", "reply_parameters", "allowed_updates", "media"}
INT_PARAMS = {"chat_id", "message_id", "from_chat_id", "offset", "limit", "timeout",
              "cache_time", "duration", "user_id", "message_thread_id"}
BOOL_PARAMS = {"show_alert", "disable_notification", "drop_pending_updates", "protect_content"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
             "tg-spoiler", "span", "blockquote", "tg-emoji"}
# A real spoken Chinese voice note (espeak-ng + opusenc, made once; see sandbox/media/README.md)
SAMPLE_VOICE = (MEDIA_DIR / "voice_zh.ogg").read_bytes()
SAMPLE_VOICE_DURATION_S = 11
SAMPLE_PHOTO = (MEDIA_DIR / "photo.jpg").read_bytes()
RELATIVE_JUMPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}
JUMP_SETTLE = timedelta(seconds=5)  # land just after a scheduled minute, so it is due

# The demo (sandbox/demo.py) plugs in: where its named jumps land, and how to start over.
JumpSource = Callable[[datetime], Awaitable[list[dict[str, Any]]]]
ResetHook = Callable[[], Awaitable[None]]


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class _HtmlCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.error = f"Unsupported start tag \"{tag}\""
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = f"Can't find end tag corresponding to start tag \"{tag}\""
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _visible_text(text: str, parse_mode: str | None) -> str:
    """Validate entities like Telegram does and return the text the person sees."""
    if not parse_mode:
        return text
    if parse_mode.upper() == "HTML":
        checker = _HtmlCheck()
        checker.feed(text)
        checker.close()
        if checker.error or checker.stack:
            raise ApiError(400, "Bad Request: can't parse entities: "
                           + (checker.error or "unclosed tag"))
        return "".join(checker.text)
    if parse_mode in ("Markdown", "MarkdownV2"):
        return text
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")


def _check_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list):
            raise ApiError(400, "Bad Request: field \"inline_keyboard\" must be an Array")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and not (button.get("url") or button.get("switch_inline_query")
                                         is not None):
                    raise ApiError(400, "Bad Request: can't find field \"callback_data\"")
    elif "keyboard" in markup:
        for row in markup["keyboard"]:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not label:
                    raise ApiError(400, "Bad Request: keyboard button text is empty")
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise ApiError(400, "Bad Request: unsupported reply markup")


class Sandbox:
    def __init__(self, token: str = DEFAULT_TOKEN, limits: LimitSettings | None = None) -> None:
        self.token = token
        self.world = World()
        self.limits = RateLimits(limits)
        self.faults = FaultPlan()
        self.spells = FaultSpells()
        self.clock_offset_s = 0.0
        self.notes: dict[int, str] = {}
        self.persona_meta: dict[int, dict[str, Any]] = {}  # the web chat's notes, zone, group
        self.durations: dict[str, int] = {}  # file_id -> seconds, for voice notes
        self.jump_source: JumpSource | None = None
        self.reset_hook: ResetHook | None = None
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self._routes()

    # ---- wiring ------------------------------------------------------------------------
    def _routes(self) -> None:
        r = self.app.router
        r.add_route("*", "/bot{token}/{method}", self.bot_api)
        r.add_get("/file/bot{token}/{path:.+}", self.file_download)
        r.add_post("/sandbox/users", self.c_user)
        r.add_post("/sandbox/send", self.c_send)
        r.add_post("/sandbox/voice", self.c_voice)
        r.add_post("/sandbox/photo", self.c_photo)
        r.add_post("/sandbox/sticker", self.c_sticker)
        r.add_post("/sandbox/press", self.c_press)
        r.add_post("/sandbox/edit", self.c_edit)
        r.add_get("/sandbox/chats/{chat_id}/messages", self.c_messages)
        r.add_get("/sandbox/files/{file_id}", self.c_file)
        r.add_get("/sandbox/sent", self.c_sent)
        r.add_get("/sandbox/stats", self.c_stats)
        r.add_get("/sandbox/callback_answers", self.c_callback_answers)
        r.add_get("/sandbox/commands", self.c_commands)
        r.add_post("/sandbox/faults", self.c_faults)
        r.add_delete("/sandbox/faults", self.c_faults_clear)
        r.add_post("/sandbox/blocked", self.c_blocked)
        r.add_post("/sandbox/limits", self.c_limits)
        r.add_post("/sandbox/reset", self.c_reset)
        r.add_get("/sandbox/clock", self.c_clock_get)
        r.add_post("/sandbox/clock", self.c_clock_set)
        r.add_get("/", self.index)
        r.add_get("/web/{name}", self.web_file)
        r.add_get("/sandbox/personas", self.c_personas)
        r.add_post("/sandbox/demo/reset", self.c_demo_reset)

    # ---- Bot API -----------------------------------------------------------------------
    async def bot_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        self.world.stats["requests"] += 1
        try:
            params = await _read_params(request)
        except ValueError as exc:
            return _error(ApiError(400, f"Bad Request: {exc}"))
        chat_id = params.get("chat_id") if isinstance(params.get("chat_id"), int) else None
        spell = self.spells.active(time.monotonic(), chat_id)
        if spell is not None:
            return self._spell_answer(spell, request)
        fault = self.faults.take(method, chat_id)
        if fault is not None:
            self.world.stats["faults"] += 1
            if fault.kind == "drop":
                if request.transport is not None:
                    request.transport.close()
                raise asyncio.CancelledError
            if fault.kind == "http500":
                return _error(ApiError(500, "Internal Server Error"))
            if fault.kind == "http409":
                return _error(ApiError(409, "Conflict: terminated by other getUpdates request; "
                                            "make sure that only one bot instance is running"))
            if fault.kind == "http429":
                self.world.stats["http_429"] += 1
                return _error(ApiError(429, f"Too Many Requests: retry after {fault.retry_after}",
                                       {"retry_after": fault.retry_after}))
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
                if request.transport is None or request.transport.is_closing():
                    # the client gave up: like Telegram never receiving the request
                    raise asyncio.CancelledError
        handler = getattr(self, f"m_{method.lower()}", None)
        if handler is None:
            return _error(ApiError(404, "Not Found: method not found"))
        try:
            result = await handler(params)
        except ApiError as exc:
            return _error(exc)
        return web.json_response({"ok": True, "result": result})

    def _spell_answer(self, spell: FaultSpell, request: web.Request) -> web.Response:
        self.world.stats["faults"] += 1
        if spell.kind == "refuse":  # the connection closes unanswered, as when nothing listens
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError
        if spell.kind == "http404":
            return _error(ApiError(404, "Not Found"))
        self.world.stats["http_429"] += 1
        return _error(ApiError(429, f"Too Many Requests: retry after {spell.retry_after}",
                               {"retry_after": spell.retry_after}))

    async def m_getme(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def m_logout(self, params: dict[str, Any]) -> Any:
        return True

    async def m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def m_deletewebhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            self.world.updates.clear()
        return True

    async def m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count":
                len(self.world.updates)}

    async def m_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: commands must be an Array")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.world.commands[str(params.get("language_code") or "")] = commands
        return True

    async def m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.world.commands.get(str(params.get("language_code") or ""), [])

    async def m_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.world.commands.pop(str(params.get("language_code") or ""), None)
        return True

    async def m_setchatmenubutton(self, params: dict[str, Any]) -> Any:
        return True

    async def m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0, min(50, int(params.get("timeout") or 0)))
        self.world.confirm(offset)
        deadline = time.monotonic() + timeout
        async with self.world.new_update:
            while True:
                pending = self.world.pending_updates(limit)
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending
                try:
                    await asyncio.wait_for(self.world.new_update.wait(), remaining)
                except TimeoutError:
                    return self.world.pending_updates(limit)

    def _chat_or_400(self, chat_id: Any) -> dict[str, Any]:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self.world.chat(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _admit(self, chat_id: int) -> None:
        """A valid send: refused if the person blocked the bot or a limit is exceeded."""
        if chat_id in self.world.blocked_chats:
            self.world.stats["http_403"] += 1
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        wait = self.limits.check(chat_id)
        if wait:
            self.world.stats["http_429"] += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    async def _bot_message(self, method: str, chat: dict[str, Any], **content: Any) -> Any:
        self._admit(chat["id"])
        message = {
            "message_id": self.world.new_message_id(chat["id"]),
            "from": BOT_USER,
            "chat": chat,
            "date": self.now_ts(),
            **{k: v for k, v in content.items() if v is not None},
        }
        self.world.store_message(message)
        self.world.record_sent(method, chat["id"], message["message_id"],
                               content.get("text") or content.get("caption"))
        async with self.world.new_message:
            self.world.new_message.notify_all()
        return message

    async def m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat_or_400(params.get("chat_id"))
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        visible = _visible_text(text, params.get("parse_mode"))
        if len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        _check_markup(params.get("reply_markup"))
        return await self._bot_message("sendMessage", chat, text=visible,
                                       reply_markup=params.get("reply_markup"))

    async def _send_file(self, method: str, field: str, params: dict[str, Any]) -> Any:
        chat = self._chat_or_400(params.get("chat_id"))
        caption = params.get("caption")
        if caption is not None:
            caption = _visible_text(str(caption), params.get("parse_mode"))
            if len(caption) > MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
        _check_markup(params.get("reply_markup"))
        upload = params.get(field)
        if isinstance(upload, tuple):
            data, filename = upload
            if not data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            file_id = self._store_file(data, filename)
        elif isinstance(upload, str) and upload in self.world.files:
            file_id = upload
            data, filename = self.world.files[file_id]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        meta = {"file_id": file_id, "file_unique_id": file_id[:16], "file_size": len(data)}
        if field == "photo":
            content: dict[str, Any] = {"photo": [{**meta, "width": 512, "height": 512}]}
        elif field == "voice":
            duration = int(params.get("duration") or self.durations.get(file_id) or 3)
            self.durations[file_id] = duration
            content = {"voice": {**meta, "duration": duration, "mime_type": "audio/ogg"}}
        else:
            content = {"document": {**meta, "file_name": filename}}
        return await self._bot_message(method, chat, caption=caption,
                                       reply_markup=params.get("reply_markup"), **content)

    async def m_sendphoto(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendPhoto", "photo", params)

    async def m_senddocument(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendDocument", "document", params)

    async def m_sendvoice(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendVoice", "voice", params)

    def _source(self, params: dict[str, Any]) -> dict[str, Any]:
        from_chat = params.get("from_chat_id")
        message_id = params.get("message_id")
        if not isinstance(from_chat, int) or not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message to forward not found")
        source = self.world.find_message(from_chat, message_id)
        if source is None:
            raise ApiError(400, "Bad Request: message to forward not found")
        return source

    async def m_forwardmessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat_or_400(params.get("chat_id"))
        source = self._source(params)
        content = {k: source[k] for k in ("text", "voice", "photo", "document", "caption",
                                          "sticker") if k in source}
        origin = {"type": "user", "date": source["date"], "sender_user": source["from"]}
        return await self._bot_message("forwardMessage", chat, forward_origin=origin, **content)

    async def m_copymessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat_or_400(params.get("chat_id"))
        source = self._source(params)
        content = {k: source[k] for k in ("text", "voice", "photo", "document", "caption",
                                          "sticker") if k in source}
        if params.get("caption") is not None:
            content["caption"] = params["caption"]
        message = await self._bot_message("copyMessage", chat,
                                          reply_markup=params.get("reply_markup"), **content)
        return {"message_id": message["message_id"]}

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_or_400(params.get("chat_id"))
        message = self.world.find_message(chat["id"], int(params.get("message_id") or 0))
        if message is None or message["from"]["id"] != BOT_USER["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def m_editmessagetext(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        visible = _visible_text(text, params.get("parse_mode"))
        if len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        _check_markup(markup)
        if message.get("text") == visible and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        message["text"] = visible
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = self.now_ts()
        async with self.world.new_message:
            self.world.new_message.notify_all()
        return message

    async def m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        markup = params.get("reply_markup")
        _check_markup(markup)
        if message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = self.now_ts()
        async with self.world.new_message:
            self.world.new_message.notify_all()
        return message

    async def m_deletemessage(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        self.world.messages[message["chat"]["id"]].remove(message)
        return True

    async def m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise ApiError(400, "Bad Request: query_id is empty")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.world.callback_answers.append(
            {"callback_query_id": str(query_id), "text": text,
             "show_alert": bool(params.get("show_alert"))})
        return True

    async def m_sendchataction(self, params: dict[str, Any]) -> Any:
        self._chat_or_400(params.get("chat_id"))
        return True

    async def m_getfile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.world.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        data, _name = self.world.files[file_id]
        return {"file_id": file_id, "file_unique_id": file_id[:16], "file_size": len(data),
                "file_path": f"files/{file_id}"}

    async def file_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.world.files:
            return web.Response(status=404)
        return web.Response(body=self.world.files[file_id][0])

    def _store_file(self, data: bytes, filename: str) -> str:
        file_id = "F" + secrets.token_hex(12)
        self.world.files[file_id] = (data, filename)
        return file_id

    # ---- client API (the people) -------------------------------------------------------
    async def _person_message(self, body: dict[str, Any], **content: Any) -> dict[str, Any]:
        user_id = int(body["user_id"])
        user = self.world.user(user_id, body.get("first_name"), body.get("language_code"))
        if body.get("chat_id") is not None and int(body["chat_id"]) < 0:
            chat = self.world.group(int(body["chat_id"]), body.get("chat_title") or "Group")
        else:
            chat = self.world.chat(user_id)
        assert chat is not None
        message = {
            "message_id": self.world.new_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": self.now_ts(),
            **content,
        }
        self.world.store_message(message)
        update = self.world.add_update({"message": message})
        async with self.world.new_update:
            self.world.new_update.notify_all()
        return {"update_id": update["update_id"], "message": message}

    async def c_user(self, request: web.Request) -> web.Response:
        body = await request.json()
        if isinstance(body, list):  # many at once (benchmarks)
            for item in body:
                self.world.user(int(item["user_id"]), item.get("first_name"),
                                item.get("language_code"))
            return web.json_response({"users": len(self.world.users)})
        user = self.world.user(int(body["user_id"]), body.get("first_name"),
                               body.get("language_code"))
        if body.get("note"):  # who this is, for the web chat's persona list (not sent to the bot)
            self.notes[int(body["user_id"])] = str(body["note"])[:200]
        return web.json_response(user)

    async def c_personas(self, request: web.Request) -> web.Response:
        people = [{"id": uid, "name": u["first_name"], "note": self.notes.get(uid, ""),
                   "language_code": u.get("language_code", ""),
                   **self.persona_meta.get(uid, {})}
                  for uid, u in self.world.users.items() if uid > 0]
        bot = {"id": BOT_USER["id"], "name": BOT_USER["first_name"],
               "username": BOT_USER["username"], "avatar": "/web/bot.svg"}
        return web.json_response({"personas": people, "bot_id": BOT_USER["id"], "bot": bot})

    async def c_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", ""))
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0]) if text.split() else 1
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return web.json_response(await self._person_message(body, **content))

    async def c_voice(self, request: web.Request) -> web.Response:
        body = await request.json()
        file_id = self._store_file(SAMPLE_VOICE, "voice.ogg")
        duration = int(body.get("duration") or SAMPLE_VOICE_DURATION_S)
        self.durations[file_id] = duration
        voice = {"file_id": file_id, "file_unique_id": file_id[:16],
                 "duration": duration, "mime_type": "audio/ogg",
                 "file_size": len(SAMPLE_VOICE)}
        return web.json_response(await self._person_message(body, voice=voice))

    async def c_photo(self, request: web.Request) -> web.Response:
        body = await request.json()
        file_id = self._store_file(SAMPLE_PHOTO, "photo.jpg")
        photo = [{"file_id": file_id, "file_unique_id": file_id[:16], "width": 480,
                  "height": 360, "file_size": len(SAMPLE_PHOTO)}]
        content: dict[str, Any] = {"photo": photo}
        if body.get("caption"):
            content["caption"] = body["caption"]
        return web.json_response(await self._person_message(body, **content))

    async def c_sticker(self, request: web.Request) -> web.Response:
        body = await request.json()
        file_id = self._store_file(b"RIFF", "sticker.webp")
        sticker = {"file_id": file_id, "file_unique_id": file_id[:16], "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False,
                   "emoji": body.get("emoji", "👍")}
        return web.json_response(await self._person_message(body, sticker=sticker))

    async def c_edit(self, request: web.Request) -> web.Response:
        body = await request.json()
        user_id = int(body["user_id"])
        chat_id = int(body.get("chat_id") or user_id)
        message = self.world.find_message(chat_id, int(body["message_id"]))
        if message is None or message["from"]["id"] != user_id:
            return web.json_response({"error": "no such message of this user"}, status=404)
        message["text"] = str(body["text"])
        message["edit_date"] = self.now_ts()
        update = self.world.add_update({"edited_message": message})
        async with self.world.new_update:
            self.world.new_update.notify_all()
        return web.json_response({"update_id": update["update_id"]})

    async def c_press(self, request: web.Request) -> web.Response:
        body = await request.json()
        user_id = int(body["user_id"])
        user = self.world.user(user_id, body.get("first_name"), body.get("language_code"))
        chat_id = int(body.get("chat_id") or user_id)
        message = self.world.find_message(chat_id, int(body["message_id"]))
        if message is None:
            return web.json_response({"error": "no such message"}, status=404)
        query_id = str(self.world.next_id())
        callback = {"id": query_id, "from": user, "message": message,
                    "chat_instance": str(chat_id), "data": str(body["data"])}
        update = self.world.add_update({"callback_query": callback})
        async with self.world.new_update:
            self.world.new_update.notify_all()
        return web.json_response({"update_id": update["update_id"], "callback_query_id": query_id})

    async def c_messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        after = int(request.query.get("after", 0))
        wait = min(float(request.query.get("wait", 0)), 60.0)
        min_count = int(request.query.get("min_bot", 1))

        def newer() -> list[dict[str, Any]]:
            return [m for m in self.world.messages.get(chat_id, []) if m["message_id"] > after]

        deadline = time.monotonic() + wait
        async with self.world.new_message:
            while True:
                found = newer()
                bot_count = sum(1 for m in found if m["from"]["id"] == BOT_USER["id"])
                remaining = deadline - time.monotonic()
                if bot_count >= min_count or remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self.world.new_message.wait(), remaining)
                except TimeoutError:
                    break
        return web.json_response(newer())

    async def c_file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.world.files:
            return web.Response(status=404)
        data, filename = self.world.files[file_id]
        kind = _media_type(filename)
        disposition = "inline" if kind.startswith(("image/", "audio/")) else "attachment"
        return web.Response(body=data, content_type=kind, headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"'})

    async def c_sent(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        return web.json_response([r.__dict__ for r in self.world.sent if r.seq > since])

    async def c_stats(self, request: web.Request) -> web.Response:
        return web.json_response({
            **self.world.stats,
            "sent": len(self.world.sent),
            "pending_updates": len(self.world.pending_updates(10_000)),
            "faults_injected": {**self.faults.injected, **self.spells.injected},
            "limits": self.limits.settings.__dict__,
        })

    async def c_callback_answers(self, request: web.Request) -> web.Response:
        return web.json_response(self.world.callback_answers)

    async def c_commands(self, request: web.Request) -> web.Response:
        return web.json_response(self.world.commands)

    async def c_faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        rules = body.get("rules", [body])
        try:
            for rule in rules:
                if rule.get("kind") in SPELL_KINDS:
                    self.spells.add(FaultSpell.from_json(rule, time.monotonic()))
                    continue
                self.faults.add(FaultRule.from_json(rule))
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"rules": len(self.faults.rules)})

    async def c_faults_clear(self, request: web.Request) -> web.Response:
        self.faults.clear()
        self.spells.clear()
        return web.json_response({"rules": 0})

    async def c_blocked(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat_id = int(body["chat_id"])
        if body.get("blocked", True):
            self.world.blocked_chats.add(chat_id)
        else:
            self.world.blocked_chats.discard(chat_id)
        return web.json_response({"blocked": sorted(self.world.blocked_chats)})

    async def c_limits(self, request: web.Request) -> web.Response:
        body = await request.json()
        current = self.limits.settings.__dict__
        settings = LimitSettings(**{**current, **{k: v for k, v in body.items() if k in current}})
        self.limits.configure(settings)
        return web.json_response(settings.__dict__)

    async def c_reset(self, request: web.Request) -> web.Response:
        self.world = World()
        self.limits.configure(self.limits.settings)
        self.faults = FaultPlan()
        self.spells = FaultSpells()
        return web.json_response({"ok": True})

    def start_over(self) -> None:
        """A fresh world and demo clock for the demo's reset (faults and limits stay)."""
        self.world = World()
        self.notes.clear()
        self.persona_meta.clear()
        self.durations.clear()
        self.clock_offset_s = 0.0

    async def c_demo_reset(self, request: web.Request) -> web.Response:
        """Start over: the demo reseeds the village and restarts the bot; the page reloads."""
        if self.reset_hook is None:
            self.start_over()
        else:
            await self.reset_hook()
        return web.json_response({"ok": True, **await self.clock_state()})

    def now_ts(self) -> int:
        """Message dates follow the demo clock, so the web chat shows the demo's time."""
        return int(time.time() + self.clock_offset_s)

    def demo_now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset_s)

    def clock_view(self) -> dict[str, Any]:
        now = self.demo_now()
        local = now.astimezone(DEMO_ZONE)
        return {"offset_s": self.clock_offset_s, "now": now.isoformat(),
                "local": local.strftime("%Y-%m-%d %a %H:%M") + " (Asia/Shanghai)"}

    async def jumps(self, now: datetime) -> list[dict[str, Any]]:
        """Every jump the page offers, each with where it lands (UTC) and the zone to show it
        in: the demo's named ones (next check-in, each parent's weekly message, the digest)
        first, then +1 hour, +1 day, a week."""
        named = await self.jump_source(now) if self.jump_source is not None else []
        relative = [{"id": key, "target": (now + delta).isoformat(), "zone": str(DEMO_ZONE)}
                    for key, delta in RELATIVE_JUMPS.items()]
        return [*named, *relative]

    async def clock_state(self) -> dict[str, Any]:
        view = self.clock_view()
        return {**view, "jumps": await self.jumps(datetime.fromisoformat(view["now"]))}

    async def c_clock_get(self, request: web.Request) -> web.Response:
        return web.json_response(await self.clock_state())

    def _legacy_jump(self, jump: str, now: datetime) -> datetime | None:
        local = now.astimezone(DEMO_ZONE)
        if jump == "evening":
            target = local.replace(hour=19, minute=0, second=0, microsecond=0)
            return target if target > local else target + timedelta(days=1)
        if jump == "sunday":
            target = local.replace(hour=20, minute=0, second=0, microsecond=0) + \
                timedelta(days=(7 - local.isoweekday()) % 7)
            return target if target > local else target + timedelta(days=7)
        return None

    async def c_clock_set(self, request: web.Request) -> web.Response:
        """Fast-forward the demo clock (the bot follows it in sandbox mode): by seconds, to an
        offset, or a named jump from ``jumps`` (it lands where the page said it would)."""
        body = await request.json()
        now = self.demo_now()
        jump = body.get("jump")
        if jump is not None:
            found = {j["id"]: j for j in await self.jumps(now)}.get(str(jump))
            if found is not None:
                target = datetime.fromisoformat(found["target"])
                if str(jump) not in RELATIVE_JUMPS:
                    target += JUMP_SETTLE
            else:
                legacy = self._legacy_jump(str(jump), now)
                if legacy is None:
                    return web.json_response({"error": f"unknown jump {jump!r}"}, status=400)
                target = legacy + JUMP_SETTLE
            offset = self.clock_offset_s + (target - now).total_seconds()
        else:
            offset = float(body.get("offset_s",
                                    self.clock_offset_s + float(body.get("advance_s", 0))))
        if offset < self.clock_offset_s:
            return web.json_response({"error": "the clock only moves forward"}, status=400)
        self.clock_offset_s = offset
        return web.json_response(await self.clock_state())

    async def index(self, request: web.Request) -> web.Response:
        return web.FileResponse(WEB_DIR / "index.html",
                                headers={"Cache-Control": "no-store"})

    async def web_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in WEB_FILES:
            return web.Response(status=404)
        return web.FileResponse(WEB_DIR / name, headers={"Cache-Control": "no-store",
                                                         "Content-Type": WEB_FILES[name]})


async def _read_params(request: web.Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("request body must be a JSON object")
            raw.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if hasattr(value, "file"):
                    raw[key] = (value.file.read(), value.filename or key)
                else:
                    raw[key] = value
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in OBJECT_PARAMS:
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"can't parse {key} JSON object") from exc
            elif key in INT_PARAMS:
                try:
                    value = int(value)
                except ValueError:
                    if key != "chat_id":
                        raise ValueError(f"{key} must be an integer") from None
            elif key in BOOL_PARAMS:
                value = value.lower() in ("true", "1")
        params[key] = value
    return params


def _media_type(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"ogg": "audio/ogg", "oga": "audio/ogg", "jpg": "image/jpeg", "jpeg": "image/jpeg",
            "png": "image/png", "webp": "image/webp", "csv": "text/csv",
            "pdf": "application/pdf"}.get(suffix, "application/octet-stream")


def _error(exc: ApiError) -> web.Response:
    payload: dict[str, Any] = {"ok": False, "error_code": exc.code,
                               "description": exc.description}
    if exc.parameters:
        payload["parameters"] = exc.parameters
    return web.json_response(payload, status=exc.code)


async def start_sandbox(
    host: str = "127.0.0.1", port: int = 8080, *, token: str = DEFAULT_TOKEN,
    limits: LimitSettings | None = None,
) -> tuple[Sandbox, web.AppRunner, int]:
    """Start on loopback (port 0 picks a free one); returns the sandbox, runner and real port."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the sandbox binds to loopback only")
    if os.environ.get(RUN_MODE_ENV) == "run":
        raise RuntimeError("the sandbox is for demos and tests; it does not start in run mode")
    sandbox = Sandbox(token=token, limits=limits)
    runner = web.AppRunner(sandbox.app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    real_port = server.sockets[0].getsockname()[1] if server and server.sockets else port
    return sandbox, runner, real_port
