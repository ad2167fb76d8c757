"""The emulated Telegram world: bots, users, chats, messages and callback queries."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from .signal import Signal
from .updates import UpdateQueue

TOKEN_RE = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{30,40}$")


class StateError(ValueError):
    """A control-side request that the world cannot honour (unknown id, duplicate, ...)."""


def generate_token(bot_id: int) -> str:
    """A fresh token shaped like Telegram's: `<bot id>:<35 url-safe characters>`."""
    return f"{bot_id}:{secrets.token_urlsafe(27)[:35]}"


@dataclass
class BotStats:
    """Per-bot counters read by tests and the bench."""

    requests: int = 0
    messages_sent: int = 0
    edits: int = 0
    paid_broadcasts: int = 0  # sends that carried allow_paid_broadcast
    too_many_requests: int = 0
    errors: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    # Wall-clock time (time.time()) of the first and the latest successful send.
    first_sent_at: float | None = None
    last_sent_at: float | None = None

    def count_send(self, paid: bool) -> None:
        """One message stored."""
        now = time.time()
        self.messages_sent += 1
        self.paid_broadcasts += paid
        if self.first_sent_at is None:
            self.first_sent_at = now
        self.last_sent_at = now

    def as_json(self) -> dict[str, Any]:
        """Counters as plain JSON."""
        return {
            "requests": self.requests,
            "messages_sent": self.messages_sent,
            "edits": self.edits,
            "paid_broadcasts": self.paid_broadcasts,
            "too_many_requests": self.too_many_requests,
            "errors": self.errors,
            "by_method": dict(self.by_method),
            "first_sent_at": self.first_sent_at,
            "last_sent_at": self.last_sent_at,
        }


@dataclass
class Webhook:
    """A bot's webhook registration and delivery health."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotAccount:
    """One bot, addressed by its current token."""

    id: int
    token: str
    username: str
    first_name: str
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    allowed_updates: list[str] | None = None
    webhook: Webhook | None = None
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    stats: BotStats = field(default_factory=BotStats)
    in_flight: int = 0
    gone: bool = False


@dataclass
class UserAccount:
    """A human Telegram user; their private chat with any bot has the user's id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    deactivated: bool = False
    started: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)


@dataclass
class ChatRecord:
    """A group or supergroup (private chats are implied by users)."""

    id: int
    type: str
    title: str
    username: str | None = None
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    bots: set[int] = field(default_factory=set)
    kicked_bots: set[int] = field(default_factory=set)
    migrated_to: int | None = None
    # Administrator rights a member was given other than the default (all granted).
    rights: dict[int, dict[str, bool]] = field(default_factory=dict)


@dataclass
class StoredMessage:
    """A message as it stands now, with edits and deletion applied."""

    message_id: int
    chat_id: int
    bot_id: int  # the bot whose view of the chat holds this message
    from_bot: bool
    from_user_id: int | None
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    edit_date: int | None = None
    deleted: bool = False
    message_thread_id: int | None = None
    disable_notification: bool = False
    link_preview_options: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CallbackRecord:
    """A button press and, once the bot answers it, the answer."""

    id: str
    bot_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


def chat_instance(bot_id: int, chat_id: int) -> str:
    """A stable opaque id of the (bot, chat) pair, like Telegram's chat_instance."""
    digest = hashlib.sha256(f"{bot_id}:{chat_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big", signed=True))


class World:
    """All emulated entities plus a change signal for control-side waiters."""

    def __init__(self, event_log_limit: int = 100_000) -> None:
        self.bots: dict[int, BotAccount] = {}
        self.tokens: dict[str, int] = {}
        self.users: dict[int, UserAccount] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.chat_usernames: dict[str, int] = {}
        self.dialogs: dict[tuple[int, int], dict[int, StoredMessage]] = {}
        self.next_message_id: dict[tuple[int, int], int] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.events: deque[dict[str, Any]] = deque(maxlen=event_log_limit)
        self.event_seq = 0
        self.changed = Signal()
        self._next_user_id = 100_000_001
        self._next_bot_id = 7_000_000_001
        self._next_group = 1

    # --- bots -------------------------------------------------------------------------------

    def add_bot(
        self, username: str, first_name: str | None = None, token: str | None = None
    ) -> BotAccount:
        """Register a bot; the token's numeric prefix is its id."""
        if token is None:
            while self._next_bot_id in self.bots:
                self._next_bot_id += 1
            token = generate_token(self._next_bot_id)
        match = TOKEN_RE.match(token)
        if not match:
            raise StateError("token must look like <digits>:<30-40 url-safe characters>")
        bot_id = int(match.group(1))
        if bot_id in self.bots or token in self.tokens:
            raise StateError(f"bot {bot_id} exists")
        if any(b.username.lower() == username.lower() for b in self.bots.values()):
            raise StateError(f"username {username} is taken")
        bot = BotAccount(bot_id, token, username, first_name or username)
        self.bots[bot_id] = bot
        self.tokens[token] = bot_id
        return bot

    def bot(self, bot_id: int) -> BotAccount:
        """The bot with this id, or StateError."""
        try:
            return self.bots[bot_id]
        except KeyError:
            raise StateError(f"no bot {bot_id}") from None

    def bot_by_name(self, name: str) -> BotAccount:
        """The bot with this username (with or without @), or StateError."""
        name = name.lstrip("@").lower()
        for bot in self.bots.values():
            if bot.username.lower() == name:
                return bot
        raise StateError(f"no bot @{name}")

    def revoke_token(self, bot_id: int) -> str:
        """Give the bot a new token; the old one answers 401 from now on."""
        bot = self.bot(bot_id)
        del self.tokens[bot.token]
        bot.token = generate_token(bot_id)
        self.tokens[bot.token] = bot_id
        # A poller waiting with the old token must wake up and learn it is now unauthorized.
        bot.updates.signal.fire()
        return bot.token

    # --- users and chats --------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        user_id: int | None = None,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> UserAccount:
        """Register a human user (and with it their private chats)."""
        if user_id is None:
            while self._next_user_id in self.users:
                self._next_user_id += 1
            user_id = self._next_user_id
        if user_id <= 0 or user_id in self.users:
            raise StateError(f"user id {user_id} is invalid or taken")
        user = UserAccount(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        return user

    def user(self, user_id: int) -> UserAccount:
        """The user with this id, or StateError."""
        try:
            return self.users[user_id]
        except KeyError:
            raise StateError(f"no user {user_id}") from None

    def add_group(
        self,
        title: str,
        members: list[int],
        admins: list[int],
        bots: list[int],
        supergroup: bool = False,
        username: str | None = None,
    ) -> ChatRecord:
        """Create a basic group or a supergroup with the given users and bots in it."""
        for uid in [*members, *admins]:
            self.user(uid)
        for bid in bots:
            self.bot(bid)
        chat_id = self._new_group_id(supergroup)
        chat = ChatRecord(
            chat_id,
            "supergroup" if supergroup else "group",
            title,
            username=username,
            members=set(members) | set(admins),
            admins=set(admins),
            bots=set(bots),
        )
        self.chats[chat_id] = chat
        if username:
            self.chat_usernames[username.lower()] = chat_id
        return chat

    def _new_group_id(self, supergroup: bool) -> int:
        n = self._next_group
        self._next_group += 1
        return -(1_000_000_000_000 + n) if supergroup else -(400_000_000 + n)

    def chat(self, chat_id: int) -> ChatRecord:
        """The group with this id, or StateError."""
        try:
            return self.chats[chat_id]
        except KeyError:
            raise StateError(f"no group {chat_id}") from None

    def upgrade_group(self, chat_id: int) -> ChatRecord:
        """Turn a basic group into a new supergroup with a new id, as Telegram does."""
        old = self.chat(chat_id)
        if old.type != "group" or old.migrated_to is not None:
            raise StateError(f"chat {chat_id} is not a basic group")
        new = ChatRecord(
            self._new_group_id(True),
            "supergroup",
            old.title,
            members=set(old.members),
            admins=set(old.admins),
            bots=set(old.bots),
        )
        self.chats[new.id] = new
        old.migrated_to = new.id
        return new

    # --- messages ---------------------------------------------------------------------------

    @staticmethod
    def dialog_key(bot_id: int, chat_id: int) -> tuple[int, int]:
        """Private chats are per (bot, user); a group's history is shared by its bots."""
        return (chat_id, bot_id) if chat_id > 0 else (chat_id, 0)

    def store_message(self, msg_kwargs: dict[str, Any]) -> StoredMessage:
        """Assign the next message id in the dialog and keep the message."""
        key = self.dialog_key(msg_kwargs["bot_id"], msg_kwargs["chat_id"])
        message_id = self.next_message_id.get(key, 1)
        self.next_message_id[key] = message_id + 1
        msg = StoredMessage(message_id=message_id, date=int(time.time()), **msg_kwargs)
        self.dialogs.setdefault(key, {})[message_id] = msg
        return msg

    def find_message(self, bot_id: int, chat_id: int, message_id: int) -> StoredMessage | None:
        """A live (not deleted) message as the bot sees it."""
        msg = self.dialogs.get(self.dialog_key(bot_id, chat_id), {}).get(message_id)
        return None if msg is None or msg.deleted else msg

    def chat_messages(self, chat_id: int, bot_id: int | None = None) -> list[StoredMessage]:
        """Live messages of a chat in order; for a private chat, of one bot or of all bots."""
        out: list[StoredMessage] = []
        for (cid, bid), msgs in self.dialogs.items():
            if cid != chat_id or (bot_id is not None and cid > 0 and bid != bot_id):
                continue
            out.extend(m for m in msgs.values() if not m.deleted)
        out.sort(key=lambda m: (m.date, m.message_id) if chat_id > 0 else (0, m.message_id))
        return out

    def record_event(self, kind: str, payload: dict[str, Any]) -> None:
        """Append to the control feed (sent/edited/deleted/answered) and wake waiters."""
        self.event_seq += 1
        self.events.append({"seq": self.event_seq, "kind": kind, **payload})
        self.changed.fire()
