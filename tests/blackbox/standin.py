"""An independent Bot API stand-in for black-box tests, written from the documented behaviour of
the Telegram Bot API (https://core.telegram.org/bots/api), deliberately sharing no code with
``sandbox/``: it must catch what our own sandbox might hide.

What it does, as Telegram does:
- ``POST/GET <root>/bot<token>/<method>`` with parameters in the query string, urlencoded or
  multipart form fields (JSON-serialised when not plain) or a JSON body; answers
  ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": n, "description": ...}``;
  a wrong token gets 401 Unauthorized.
- ``getUpdates``: ``offset`` confirms every update with a lower id, a negative offset counts from
  the end, ``limit`` 1-100, ``timeout`` long-polls; a second request while one is still waiting
  terminates the waiting one with 409 Conflict; 409 too while a webhook is set.
- Sending to a chat the bot never talked with: 400 chat not found; empty or over-long text: 400;
  ``callback_data`` over 64 bytes: 400; editing an unchanged markup: 400 message is not modified.

It records every message the bot sent, per chat, with the moment it arrived (monotonic clock),
and every request (method, chat, answered status). A test injects a person's text or a button
press, and faults: refused connections for N seconds (the listening socket closed, open
connections cut, then reopened on the same port), an HTTP status spell (502/500 as a gateway
answers, 404 as a misconfigured proxy answers, 401 for a revoked token), per-chat or global 429
with ``retry_after``, 403 "bot was blocked by the user" for a chat, and 409 Conflict.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

HOST = "127.0.0.1"
SEND_METHODS = {"sendmessage", "sendphoto", "senddocument", "sendvoice", "sendaudio", "sendvideo",
                "sendsticker", "sendanimation", "copymessage", "forwardmessage",
                "sendmediagroup", "sendchataction", "editmessagetext", "editmessagereplymarkup",
                "editmessagecaption"}
MESSAGE_METHODS = SEND_METHODS - {"sendchataction", "sendmediagroup"}
CONFLICT_POLL = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
                 "instance is running")
CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first")
HTML_PAGES = {
    404: "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not "
         "Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    500: "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center>"
         "<h1>500 Internal Server Error</h1></center>\r\n</body>\r\n</html>\r\n",
    502: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 "
         "Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
}
JSON_DESCRIPTIONS = {401: "Unauthorized", 404: "Not Found", 500: "Internal Server Error",
                     502: "Bad Gateway"}


class _Cut(Exception):
    """The connection this request came on was cut by a fault: nothing reaches the client."""


class _SpellNow(Exception):
    """A status spell began while this long poll was waiting: answer it with the spell."""


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class Received:
    """One message the bot sent (or edited), as the chat saw it."""

    chat_id: int
    method: str
    message_id: int
    at: float  # time.monotonic() when the request arrived
    text: str | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None

    @property
    def words(self) -> str:
        return self.text or self.caption or ""

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [b for row in rows for b in row]


@dataclass
class RequestSeen:
    method: str
    chat_id: int | None
    at: float
    status: int = 0  # 0 while unanswered, -1 when the connection was cut


@dataclass
class Spell:
    status: int
    until: float | None  # None: until cleared
    style: str  # "html" (a gateway's page) or "json" (the Bot API's own error)
    methods: set[str] | None = None


@dataclass
class _Poll:
    future: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop()
                                         .create_future())
    outcome: str = "updates"  # or "conflict", "cut"


class StandIn:
    def __init__(self, token: str = "424242:BLACKBOX-stand-in-token",
                 username: str = "KinBridgeBlackboxBot") -> None:
        self.token = token
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "KinBridge",
                         "username": username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.port = 0
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}  # every private chat the bot may talk to
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}  # chat -> id -> Message
        self._next_message_id: dict[int, int] = {}
        self.received: list[Received] = []
        self.requests: list[RequestSeen] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000
        self.confirmed_offset = 0  # highest offset any getUpdates asked for
        self._open_queries: set[str] = set()
        self._waiting: _Poll | None = None
        self._new_update = asyncio.Event()
        self.webhook_url = ""
        # faults
        self._spells: list[Spell] = []
        self._chat_429: dict[int, tuple[float, float | None]] = {}  # chat -> (R, until)
        self._global_429_until = 0.0
        self._blocked: set[int] = set()
        self._conflict_until: float | None = 0.0  # None: forever
        self.refusing = False
        self.outages: list[tuple[float, float | None]] = []
        self._on_first: dict[str, Callable[[], Awaitable[None] | None]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._protocols: list[Any] = []  # aiohttp's protocol objects take no weak references
        self._listener: asyncio.base_events.Server | None = None
        self._low_level = web.Server(self._handle)
        self._changed = asyncio.Event()

    # ---- life cycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def start(self) -> StandIn:
        await self._listen()
        return self

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._listener is not None:
            self._listener.close()
        self._cut_connections()
        await self._low_level.shutdown(1.0)

    async def _listen(self) -> None:
        def factory() -> Any:
            protocol = self._low_level()
            self._protocols = [p for p in self._protocols if p.transport is None
                               or not p.transport.is_closing()]
            self._protocols.append(protocol)
            return protocol
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(factory, HOST, self.port, reuse_address=True)
        self.port = self._listener.sockets[0].getsockname()[1]

    def _cut_connections(self) -> None:
        for protocol in list(self._protocols):
            transport = getattr(protocol, "transport", None)
            if transport is not None:
                transport.abort()
        if self._waiting is not None and not self._waiting.future.done():
            self._waiting.outcome = "cut"
            self._waiting.future.set_result(None)
        for seen in self.requests:
            if seen.status == 0:
                seen.status = -1

    # ---- people: what a Telegram client would do ----------------------------------------
    def user(self, user_id: int, first_name: str, language_code: str | None = "zh-hans") -> None:
        """A person who has opened a private chat with the bot."""
        person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            person["language_code"] = language_code
        self.users[user_id] = person
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}

    def say(self, user_id: int, text: str) -> int:
        """The person sends ``text``; returns the update id. Commands carry their entity."""
        message = self._user_message(user_id, text=text)
        if text.startswith("/"):
            length = len(text.split()[0].encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._add_update({"message": message})

    def press(self, user_id: int, message_id: int, label_part: str) -> int:
        """The person presses the inline button whose label contains ``label_part`` on one of
        the bot's messages in their chat (only buttons still shown can be pressed)."""
        message = self._messages.get(user_id, {}).get(message_id)
        if message is None:
            raise AssertionError(f"no message {message_id} in chat {user_id}")
        for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
            for button in row:
                if label_part in button.get("text", "") and "callback_data" in button:
                    query_id = f"q{self._next_update_id}"
                    self._open_queries.add(query_id)
                    return self._add_update({"callback_query": {
                        "id": query_id, "from": self.users[user_id], "message": message,
                        "chat_instance": f"ci{user_id}", "data": button["callback_data"]}})
        raise AssertionError(f"no button with {label_part!r} on message {message_id}: "
                             f"{message.get('reply_markup')}")

    def _user_message(self, user_id: int, **content: Any) -> dict[str, Any]:
        if user_id not in self.users:
            raise AssertionError(f"user {user_id} was not introduced with user()")
        message = {"message_id": self._take_message_id(user_id), "from": self.users[user_id],
                   "chat": self.chats[user_id], "date": int(time.time()), **content}
        self._messages.setdefault(user_id, {})[message["message_id"]] = message
        return message

    def _take_message_id(self, chat_id: int) -> int:
        value = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = value + 1
        return value

    def _add_update(self, body: dict[str, Any]) -> int:
        self._next_update_id += 1
        self._updates.append({"update_id": self._next_update_id, **body})
        self._new_update.set()
        return self._next_update_id

    # ---- what the bot did ------------------------------------------------------------------
    def messages(self, chat_id: int, *, since: float = 0.0) -> list[Received]:
        return [r for r in self.received if r.chat_id == chat_id and r.at >= since
                and r.method != "editmessagereplymarkup"]

    def calls(self, method: str) -> list[RequestSeen]:
        return [r for r in self.requests if r.method == method.lower()]

    @property
    def pending_updates(self) -> int:
        return sum(1 for u in self._updates if u["update_id"] >= self.confirmed_offset)

    async def wait_for(self, check: Callable[[], Any], within: float) -> Any:
        """Until ``check()`` is truthy (re-checked on every request and every 0.2 s), at most
        ``within`` seconds; returns its last value."""
        deadline = time.monotonic() + within
        while True:
            result = check()
            if result or time.monotonic() >= deadline:
                return result
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(0.2, deadline - time.monotonic()))
            except TimeoutError:
                pass

    # ---- faults ---------------------------------------------------------------------------
    def on_first(self, method: str, action: Callable[[], Awaitable[None] | None]) -> None:
        """Run ``action`` when ``method`` is first called (e.g. start an outage at the first
        getUpdates: the bot has finished starting)."""
        self._on_first[method.lower()] = action

    async def refuse_connections(self, seconds: float) -> None:
        """Close the listening socket and cut open connections now; reopen on the same port
        after ``seconds`` (in the background). Returns once connections are refused."""
        if self.refusing:
            return
        self.refusing = True
        started = time.monotonic()
        self.outages.append((started, None))
        assert self._listener is not None
        self._listener.close()
        self._cut_connections()

        async def reopen() -> None:
            await asyncio.sleep(seconds)
            await self._listen()
            self.refusing = False
            self.outages[-1] = (started, time.monotonic())
            self._changed.set()
        self._spawn(reopen())

    @property
    def outage_over(self) -> bool:
        return bool(self.outages) and self.outages[-1][1] is not None

    def http_spell(self, status: int, seconds: float | None, *, style: str = "html",
                   methods: set[str] | None = None) -> None:
        """Answer every request (or only ``methods``) with ``status`` for ``seconds`` (None:
        until cleared). ``style`` "html" is a gateway's or proxy's page, "json" the Bot API's."""
        until = None if seconds is None else time.monotonic() + seconds
        self._spells.append(Spell(status, until, style,
                                  {m.lower() for m in methods} if methods else None))
        if self._waiting is not None and not self._waiting.future.done() and (
                methods is None or "getupdates" in self._spells[-1].methods):  # type: ignore[operator]
            self._waiting.outcome = "spell"  # a long poll under way gets the spell's answer too
            self._waiting.future.set_result(None)

    def clear_spells(self) -> None:
        self._spells.clear()

    def chat_429(self, chat_id: int, retry_after: float) -> None:
        """The next send to ``chat_id`` trips its per-chat limit: 429 with ``retry_after`` for
        that many seconds, answered to every send to that chat meanwhile."""
        self._chat_429[chat_id] = (retry_after, None)

    def global_429(self, retry_after: float) -> None:
        """Every sending method: 429 with ``retry_after`` for that many seconds, from now."""
        self._global_429_until = time.monotonic() + retry_after

    def block(self, chat_id: int) -> None:
        """The person blocked the bot: 403 Forbidden for anything sent to them."""
        self._blocked.add(chat_id)

    def conflict(self, seconds: float | None) -> None:
        """Another poller elsewhere: every getUpdates gets 409 Conflict for ``seconds``."""
        self._conflict_until = None if seconds is None else time.monotonic() + seconds

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _active_spell(self, method: str) -> Spell | None:
        now = time.monotonic()
        for spell in self._spells:
            if (spell.until is None or now < spell.until) and (
                    spell.methods is None or method in spell.methods):
                return spell
        return None

    def _check_limits(self, method: str, chat_id: int | None) -> None:
        now = time.monotonic()
        if method not in SEND_METHODS:
            return
        if now < self._global_429_until:
            self._raise_429(self._global_429_until - now)
        if chat_id is None:
            return
        if chat_id in self._chat_429:
            retry_after, until = self._chat_429[chat_id]
            if until is None:
                until = now + retry_after
                self._chat_429[chat_id] = (retry_after, until)
            if now < until:
                self._raise_429(until - now)
            del self._chat_429[chat_id]
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    @staticmethod
    def _raise_429(remaining: float) -> None:
        seconds = max(1, int(remaining + 0.999))
        raise ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    # ---- HTTP ------------------------------------------------------------------------------
    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        parts = request.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return web.Response(status=404, text=HTML_PAGES[404], content_type="text/html")
        method = parts[1].lower()
        seen = RequestSeen(method, None, time.monotonic())
        self.requests.append(seen)
        self._changed.set()
        try:
            response = await self._answer(request, parts[0][3:], method, seen)
        except ApiError as exc:
            body: dict[str, Any] = {"ok": False, "error_code": exc.code,
                                    "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            response = web.json_response(body, status=exc.code)
        except _Cut:
            seen.status = -1
            response = web.Response(status=503)  # written to an aborted transport: lost
        if seen.status == 0:
            seen.status = response.status
        self._changed.set()
        return response

    async def _answer(self, request: web.BaseRequest, token: str, method: str,
                      seen: RequestSeen) -> web.StreamResponse:
        spell = self._active_spell(method)
        if spell is not None:
            return self._spell_response(spell)
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        params = await _read_params(request)
        chat_id = _int_or_none(params.get("chat_id"))
        seen.chat_id = chat_id
        first = self._on_first.pop(method, None)
        if first is not None:
            outcome = first()
            if outcome is not None:
                await outcome
            if self.refusing:  # the action cut this very connection
                raise _Cut
        self._check_limits(method, chat_id)
        handler = getattr(self, f"m_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        try:
            result = await handler(params)
        except _SpellNow:
            spell = self._active_spell(method)
            if spell is None:
                raise ApiError(500, "Internal Server Error") from None
            return self._spell_response(spell)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _spell_response(spell: Spell) -> web.Response:
        if spell.style == "html" and spell.status in HTML_PAGES:
            return web.Response(status=spell.status, text=HTML_PAGES[spell.status],
                                content_type="text/html")
        raise ApiError(spell.status, JSON_DESCRIPTIONS.get(spell.status, "Error"))

    # ---- methods ---------------------------------------------------------------------------
    async def m_getme(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def m_logout(self, params: dict[str, Any]) -> Any:
        return True

    async def m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = str(params.get("url") or "")
        return True

    async def m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_url = ""
        if _bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": self.pending_updates}

    async def m_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = _json(params.get("commands"))
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not (1 <= len(name) <= 32) or not name.replace("_", "").isalnum() \
                    or name.lower() != name or not (1 <= len(command.get("description", "")) <= 256):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[str(params.get("language_code") or "")] = commands
        return True

    async def m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(str(params.get("language_code") or ""), [])

    async def m_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(str(params.get("language_code") or ""), None)
        return True

    async def m_setchatmenubutton(self, params: dict[str, Any]) -> Any:
        return True

    async def m_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        if self._conflict_until is None or time.monotonic() < self._conflict_until:
            raise ApiError(409, CONFLICT_POLL)
        if self._waiting is not None and not self._waiting.future.done():
            self._waiting.outcome = "conflict"  # Telegram ends the older request
            self._waiting.future.set_result(None)
        offset = _int_or_none(params.get("offset")) or 0
        limit = min(100, max(1, _int_or_none(params.get("limit")) or 100))
        timeout = max(0, _int_or_none(params.get("timeout")) or 0)
        if offset > 0:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        deadline = time.monotonic() + timeout
        while True:
            ready = self._updates[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            poll = _Poll()
            self._waiting = poll
            self._new_update.clear()
            waiter = asyncio.ensure_future(self._new_update.wait())
            try:
                await asyncio.wait([poll.future, waiter], timeout=deadline - time.monotonic(),
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
                if self._waiting is poll:
                    self._waiting = None
            if poll.future.done() and poll.outcome == "conflict":
                raise ApiError(409, CONFLICT_POLL)
            if poll.future.done() and poll.outcome == "cut":
                raise _Cut
            if poll.future.done() and poll.outcome == "spell":
                raise _SpellNow

    def _chat(self, value: Any) -> dict[str, Any]:
        chat_id = _int_or_none(value)
        if chat_id is None or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _record(self, method: str, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        markup = content.pop("reply_markup", None)
        message = {"message_id": self._take_message_id(chat["id"]), "from": self.bot_user,
                   "chat": chat, "date": int(time.time()), **content}
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        self._messages.setdefault(chat["id"], {})[message["message_id"]] = message
        self.received.append(Received(chat["id"], method, message["message_id"], time.monotonic(),
                                      text=content.get("text"), caption=content.get("caption"),
                                      reply_markup=markup))
        return message

    async def m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params.get("chat_id"))
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._record("sendmessage", chat, text=text,
                            reply_markup=_markup(params.get("reply_markup")))

    async def _send_file(self, method: str, kind: str, params: dict[str, Any]) -> Any:
        chat = self._chat(params.get("chat_id"))
        value = params.get(kind)
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        size = len(value.file.read()) if isinstance(value, FileField) else 0
        file_id = f"{kind}-{len(self.received) + 1}"
        meta = {"file_id": file_id, "file_unique_id": file_id, "file_size": size}
        if kind == "photo":
            content: Any = [{**meta, "width": 320, "height": 320}]
        else:
            content = {**meta, "file_name": getattr(value, "filename", None) or kind}
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return self._record(method, chat, **{kind: content},
                            caption=None if caption is None else str(caption),
                            reply_markup=_markup(params.get("reply_markup")))

    async def m_sendphoto(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendphoto", "photo", params)

    async def m_senddocument(self, params: dict[str, Any]) -> Any:
        return await self._send_file("senddocument", "document", params)

    async def m_sendvoice(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendvoice", "voice", params)

    async def m_copymessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params.get("chat_id"))
        source_chat = self._chat(params.get("from_chat_id"))
        source = self._messages.get(source_chat["id"], {}).get(
            _int_or_none(params.get("message_id")) or 0)
        if source is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        caption = params.get("caption", source.get("caption"))
        copied = self._record("copymessage", chat, text=source.get("text"),
                              caption=None if caption is None else str(caption),
                              reply_markup=_markup(params.get("reply_markup")))
        return {"message_id": copied["message_id"]}

    async def m_forwardmessage(self, params: dict[str, Any]) -> Any:
        return await self.m_copymessage(params)

    def _own_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        message = self._messages.get(chat["id"], {}).get(_int_or_none(params.get("message_id")) or 0)
        if message is None or message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def m_editmessagetext(self, params: dict[str, Any]) -> Any:
        message = self._own_message(params)
        text = str(params.get("text") or "")
        markup = _markup(params.get("reply_markup"))
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        message["text"] = text
        message["reply_markup"] = markup
        self.received.append(Received(message["chat"]["id"], "editmessagetext",
                                      message["message_id"], time.monotonic(), text=text,
                                      reply_markup=markup))
        return message

    async def m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        message = self._own_message(params)
        markup = _markup(params.get("reply_markup"))
        if (markup or None) == (message.get("reply_markup") or None):
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        self.received.append(Received(message["chat"]["id"], "editmessagereplymarkup",
                                      message["message_id"], time.monotonic(),
                                      reply_markup=markup))
        return message

    async def m_deletemessage(self, params: dict[str, Any]) -> Any:
        message = self._own_message(params)
        del self._messages[message["chat"]["id"]][message["message_id"]]
        return True

    async def m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                                "query ID is invalid")
        self._open_queries.discard(query_id)
        self.callback_answers.append(dict(params))
        return True

    async def m_sendchataction(self, params: dict[str, Any]) -> Any:
        self._chat(params.get("chat_id"))
        return True


# ---- parameters -----------------------------------------------------------------------------
async def _read_params(request: web.BaseRequest) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                params[key] = value
    return params


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
    return value


def _markup(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    markup = _json(value)
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline "
                                    "keyboard")
            data = button.get("callback_data")
            if data is not None and not (1 <= len(str(data).encode()) <= 64):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")
