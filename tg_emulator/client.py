"""EmulatorClient: an async Python wrapper of the control API, for tests and the sandbox."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aiohttp

BotRef = int | str  # a bot id, or its username


class EmulatorControlError(Exception):
    """The control API refused a request."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _bot_field(bot: BotRef) -> dict[str, Any]:
    return {"bot": bot} if isinstance(bot, str) else {"bot_id": bot}


class EmulatorClient:
    """Drives one emulator through /_emulator/...; close() it or use `async with`."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client opened it."""
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def bot_api_base(self) -> str:
        """The base URL to give a Bot API client (python-telegram-bot's base_url)."""
        return f"{self.base_url}/bot"

    async def _call(
        self,
        verb: str,
        path: str,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        limit: float = 30.0,
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        async with self._session.request(
            verb,
            f"{self.base_url}/_emulator{path}",
            json=body,
            params=params,
            timeout=aiohttp.ClientTimeout(total=limit),
        ) as resp:
            data = await resp.json(content_type=None)
        if not isinstance(data, dict) or not data.get("ok"):
            message = data.get("error") if isinstance(data, dict) else None
            raise EmulatorControlError(resp.status, str(message or data))
        return data["result"]

    # --- world setup ----------------------------------------------------------------------

    async def reset(self) -> None:
        """Forget every bot, user, chat, message, fault and log."""
        await self._call("POST", "/reset")

    async def create_bot(
        self, username: str, first_name: str | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Create a bot (token generated when not given); returns its User object plus token."""
        body = {"username": username, "first_name": first_name, "token": token}
        return await self._call("POST", "/bots", {k: v for k, v in body.items() if v is not None})

    async def bots(self) -> list[dict[str, Any]]:
        """Every bot with its token and webhook url."""
        return await self._call("GET", "/bots")

    async def revoke_token(self, bot_id: int) -> str:
        """Give the bot a new token (the old one gets 401); returns the new one."""
        return (await self._call("POST", f"/bots/{bot_id}/revoke"))["token"]

    async def bot_limits(self, bot_id: int) -> dict[str, Any]:
        """The limit model and the bot's own rates: {model, enabled, default_per_second,
        per_second, paid_per_second}."""
        return await self._call("GET", f"/bots/{bot_id}/limits")

    async def set_bot_limits(
        self, bot_id: int, per_second: float | None = None, paid_per_second: float | None = None
    ) -> dict[str, Any]:
        """Give a bot its own rate and/or a rate for sends with allow_paid_broadcast (None:
        the default / no paid rate)."""
        body = {"per_second": per_second, "paid_per_second": paid_per_second}
        return await self._call("POST", f"/bots/{bot_id}/limits", body)

    async def stats(self, bot_id: int) -> dict[str, Any]:
        """Counters: requests, messages_sent, too_many_requests, errors, by_method."""
        return await self._call("GET", f"/bots/{bot_id}/stats")

    async def create_user(
        self,
        first_name: str,
        user_id: int | None = None,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Create a human user; their private chat id equals their user id."""
        body = {
            "first_name": first_name,
            "id": user_id,
            "username": username,
            "language_code": language_code,
            "last_name": last_name,
        }
        return await self._call("POST", "/users", {k: v for k, v in body.items() if v is not None})

    async def deactivate_user(self, user_id: int) -> None:
        """Delete the user's account: bots get 403 "user is deactivated"."""
        await self._call("POST", f"/users/{user_id}/deactivate")

    async def block_bot(self, user_id: int, bot: BotRef) -> int:
        """The user blocks the bot; returns the my_chat_member update id."""
        return (await self._call("POST", f"/users/{user_id}/block", _bot_field(bot)))["update_id"]

    async def unblock_bot(self, user_id: int, bot: BotRef) -> int:
        """The user unblocks the bot; returns the my_chat_member update id."""
        result = await self._call("POST", f"/users/{user_id}/unblock", _bot_field(bot))
        return result["update_id"]

    async def create_group(
        self,
        title: str,
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        bots: Iterable[int] = (),
        supergroup: bool = False,
        username: str | None = None,
    ) -> dict[str, Any]:
        """Create a group or supergroup; returns its Chat object."""
        body = {
            "title": title,
            "members": list(members),
            "admins": list(admins),
            "bots": list(bots),
            "supergroup": supergroup,
            "username": username,
        }
        return await self._call("POST", "/groups", body)

    async def upgrade_group(self, chat_id: int) -> int:
        """Upgrade a basic group to a supergroup; returns the new chat id."""
        return (await self._call("POST", f"/chats/{chat_id}/upgrade"))["chat_id"]

    async def add_bot_to_chat(
        self,
        chat_id: int,
        bot: BotRef,
        admin: bool = False,
        *,
        by: int | None = None,
        rights: dict[str, bool] | None = None,
        start: str | None = None,
    ) -> None:
        """Add a bot to a group (optionally as admin, some `rights` withheld with False); `by`
        the member who adds it (the bot gets my_chat_member), `start` the payload of the
        t.me/<bot>?startgroup= link used (the bot gets "/start@<bot> <start>" from `by`)."""
        body: dict[str, Any] = {**_bot_field(bot), "admin": admin}
        if by is not None:
            body["user_id"] = by
        if rights is not None:
            body["rights"] = rights
        if start is not None:
            body["start"] = start
        await self._call("POST", f"/chats/{chat_id}/bots", body)

    async def make_forum(self, chat_id: int) -> None:
        """Switch a supergroup to forum mode (topics), as its owner does in the app."""
        await self._call("POST", f"/chats/{chat_id}/forum", {})

    async def kick_bot(self, chat_id: int, bot_id: int, by: int | None = None) -> None:
        """Remove a bot from a group: it gets 403 "bot was kicked from the group chat"; `by`
        the member who removes it (the bot then gets my_chat_member)."""
        query = f"?by={by}" if by is not None else ""
        await self._call("DELETE", f"/chats/{chat_id}/bots/{bot_id}{query}")

    # --- acting as a user -------------------------------------------------------------------

    async def send_text(
        self, bot: BotRef, user_id: int, text: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user writes to the bot; returns message_id, chat_id and update_id."""
        body = {**_bot_field(bot), "user_id": user_id, "text": text, "chat_id": chat_id}
        return await self._call("POST", "/messages", body)

    async def send_command(
        self, bot: BotRef, user_id: int, command: str, args: str = "", chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user sends /command [args] (with a bot_command entity)."""
        text = "/" + command.lstrip("/") + (f" {args}" if args else "")
        return await self.send_text(bot, user_id, text, chat_id)

    async def press_button(
        self,
        bot: BotRef,
        user_id: int,
        message_id: int,
        data: str | None = None,
        button: int | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user presses a callback button (by data or flat index); returns its query id."""
        body = {
            **_bot_field(bot),
            "user_id": user_id,
            "message_id": message_id,
            "data": data,
            "button": button,
            "chat_id": chat_id,
        }
        return await self._call("POST", "/callbacks", body)

    async def callback_answer(self, query_id: str, wait: float = 0.0) -> dict[str, Any]:
        """{"answered": bool, "answer": {...} | None}, waiting up to `wait` seconds for it."""
        return await self._call(
            "GET", f"/callbacks/{query_id}", query={"wait": wait}, limit=wait + 10
        )

    async def wait_for_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The bot's answerCallbackQuery for this press; TimeoutError if none comes."""
        result = await self.callback_answer(query_id, wait=timeout)
        if not result["answered"]:
            raise TimeoutError(f"callback query {query_id} not answered within {timeout}s")
        return result["answer"]

    # --- observing ----------------------------------------------------------------------------

    async def message_records(
        self,
        chat_id: int,
        bot_id: int | None = None,
        include_users: bool = False,
        count: int = 0,
        wait: float = 0.0,
    ) -> dict[str, Any]:
        """{"messages": [{bot_id, from_bot, disable_notification, message}], "timed_out"}."""
        query = {
            "bot_id": bot_id,
            "include_users": "1" if include_users else None,
            "count": count,
            "wait": wait,
        }
        return await self._call("GET", f"/chats/{chat_id}/messages", query=query, limit=wait + 10)

    async def file_bytes(self, file_id: str) -> bytes:
        """The bytes a bot uploaded (the file_id of a sent photo or document)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        async with self._session.get(f"{self.base_url}/_emulator/files/{file_id}") as resp:
            if resp.status != 200:
                raise EmulatorControlError(resp.status, await resp.text())
            return await resp.read()

    async def messages(
        self, chat_id: int, bot_id: int | None = None, include_users: bool = False
    ) -> list[dict[str, Any]]:
        """Live Message objects of the chat in order, with edits and deletions applied."""
        records = await self.message_records(chat_id, bot_id, include_users)
        return [r["message"] for r in records["messages"]]

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the wait is server-side, not a local deadline
        bot_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Bots' messages in the chat once there are at least `count`; TimeoutError otherwise."""
        records = await self.message_records(chat_id, bot_id, False, count, timeout)
        if records["timed_out"]:
            got = len(records["messages"])
            raise TimeoutError(f"chat {chat_id}: {got} of {count} messages after {timeout}s")
        return [r["message"] for r in records["messages"]]

    async def events(
        self, after: int = 0, wait: float = 0.0, chat_id: int | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Feed of sent/edited/deleted/answered/user_message events after a sequence number."""
        result = await self._call(
            "GET",
            "/events",
            query={"after": after, "wait": wait, "chat_id": chat_id},
            limit=wait + 10,
        )
        return result["events"], result["last_seq"]

    async def api_log(
        self, bot_id: int | None = None, method: str | None = None
    ) -> list[dict[str, Any]]:
        """Raw log of Bot API calls: method, params, status, description."""
        return await self._call("GET", "/log", query={"bot_id": bot_id, "method": method})

    # --- faults -------------------------------------------------------------------------------

    async def inject_fault(
        self,
        kind: str,
        *,
        bot_id: int | None = None,
        chat_id: int | None = None,
        methods: list[str] | None = None,
        count: int | None = None,
        seconds: float = 0.0,
        retry_after: int = 5,
    ) -> dict[str, Any]:
        """Add a fault (latency, error_500, html_502, drop, timeout_after_store, flood)."""
        body = {
            "kind": kind,
            "bot_id": bot_id,
            "chat_id": chat_id,
            "methods": methods,
            "count": count,
            "seconds": seconds,
            "retry_after": retry_after,
        }
        return await self._call("POST", "/faults", body)

    async def faults(self) -> list[dict[str, Any]]:
        """The faults in force."""
        return await self._call("GET", "/faults")

    async def clear_faults(self, bot_id: int | None = None) -> int:
        """Clear all faults (or one bot's); returns how many were cleared."""
        return (await self._call("DELETE", "/faults", query={"bot_id": bot_id}))["cleared"]

    async def remove_fault(self, fault_id: int) -> None:
        """Clear one fault."""
        await self._call("DELETE", f"/faults/{fault_id}")
