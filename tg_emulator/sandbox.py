"""A line-based terminal session where a person plays a Telegram user against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import threading
from typing import Any, TextIO

import aiohttp

from .client import EmulatorClient, EmulatorControlError


class EmulatorGone(ConnectionError):
    """The emulator stopped answering (its service was stopped): the session ends."""

    def __init__(self, base_url: str) -> None:
        super().__init__(
            f"the sandbox emulator at {base_url} stopped answering — was `perezvon run` "
            "stopped? Start it again, then `perezvon sandbox`"
        )


TEXTS = {
    "welcome": "Sandbox on {base}. You are {user} (id {user_id}) talking to {bot}. :help for help.",
    "help": (
        "Type text or /command to send it to the current bot.\n"
        ":press N   press button N of the last message with buttons\n"
        ":bots      list bots            :bot NAME   talk to another bot\n"
        ":user ID   act as another user  :newuser NAME [LANG]  create a user and act as them\n"
        ":newbot USERNAME [NAME]  create another bot; prints its token (for «Добавить бота»)\n"
        ":chat ID   write in a group (:chat alone goes back to the private chat)\n"
        ":wait [N]  wait for N bot messages, edits or deletions (default 1)\n"
        ":help      this text            :quit       leave"
    ),
    "no_bot": "(no bot yet: create one, then :bots and :bot NAME)",
    "bot_line": "{mark} @{username} (id {id})",
    "bot_switched": "Now talking to @{username}.",
    "user_switched": "You are now user {user_id}.",
    "bot_created": (
        "Created @{username} (id {id}). Its token, to paste in «Боты» → «Добавить бота»:\n"
        "  {token}\n"
        "Once it is switched on there: :bot {username}, then /start."
    ),
    "bad_newbot": "Usage: :newbot USERNAME [NAME] (a username ends in bot, e.g. acme_bot)",
    "chat_switched": "Now writing in chat {chat_id}.",
    "incoming": "@{bot}: {text}",
    "edited": "@{bot} edited #{message_id}: {text}",
    "deleted": "@{bot} deleted #{message_id}",
    "button": "  [{n}] {text}{extra}",
    "photo": "[photo {width}x{height}: {url}]",
    "document": "[document {name}, {size} bytes: {url}]",
    "answer": "(answer) {text}",
    "no_buttons": "The last message has no buttons.",
    "bad_button": "No button {n}; the last message has {count}.",
    "not_callback": "Button {n} opens {url}; nothing to press.",
    "waited": "(timed out waiting for messages)",
    "error": "! {error}",
    "unknown": "Unknown command {command}; :help lists them.",
    "bye": "Bye.",
}


class Sandbox:
    """One person's session: who they are, which bot and chat, and what arrived last."""

    def __init__(self, client: EmulatorClient, stdin: Any, stdout: TextIO) -> None:
        self.client = client
        self.stdin = stdin
        self.stdout = stdout
        self.user_id = 0
        self.chat_id: int | None = None
        self.bot: dict[str, Any] | None = None
        self.names: dict[int, str] = {}
        self.last_buttons: tuple[int, int, int, list[dict[str, Any]]] | None = None
        self.seq = 0
        self.arrived = 0
        self.arrival = asyncio.Event()

    def say(self, key: str, **values: Any) -> None:
        """Print one catalogue text."""
        self.stdout.write(TEXTS[key].format(**values) + "\n")
        self.stdout.flush()

    async def read_line(self) -> str | None:
        """Next input line without its newline; None at end of input."""
        readline = self.stdin.readline
        if inspect.iscoroutinefunction(readline):
            line = await readline()
        else:
            if not isinstance(self.stdin, _ThreadReader):
                self.stdin = _ThreadReader(self.stdin)
            line = await self.stdin.readline()
        if isinstance(line, bytes):
            line = line.decode("utf-8", "replace")
        return None if not line else line.rstrip("\r\n")

    async def refresh_bots(self) -> list[dict[str, Any]]:
        """Known bots, remembering their names for printing."""
        bots = await self.client.bots()
        self.names = {b["id"]: b["username"] for b in bots}
        return bots

    # --- incoming -----------------------------------------------------------------------------

    def show(self, event: dict[str, Any]) -> None:
        """Print one feed event if it concerns this user's current conversation."""
        kind = event["kind"]
        if kind == "answered":
            # A toast belongs to whoever pressed: never shown in another user's session.
            text = (event.get("answer") or {}).get("text")
            if text and event.get("user_id") == self.user_id:
                self.say("answer", text=text)
            return
        if kind not in ("sent", "edited", "deleted"):
            return
        message = event["message"]
        chat_id = message["chat"]["id"]
        if chat_id != (self.chat_id or self.user_id):
            return
        bot = self.names.get(event["bot_id"], str(event["bot_id"]))
        self.arrived += 1
        self.arrival.set()
        if kind == "deleted":
            self.say("deleted", bot=bot, message_id=message["message_id"])
            return
        key = "incoming" if kind == "sent" else "edited"
        text = message.get("text") or self._media(message)
        self.say(key, bot=bot, message_id=message["message_id"], text=text)
        buttons = [
            b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row
        ]
        for n, button in enumerate(buttons, 1):
            extra = f" -> {button['url']}" if "url" in button else ""
            self.say("button", n=n, text=button["text"], extra=extra)
        if buttons:
            self.last_buttons = (event["bot_id"], chat_id, message["message_id"], buttons)

    def _media(self, message: dict[str, Any]) -> str:
        """A photo or document as a line with the URL its bytes can be fetched from."""
        files = f"{self.client.base_url}/_emulator/files/"
        if message.get("photo"):
            big = message["photo"][-1]
            line = TEXTS["photo"].format(width=big["width"], height=big["height"],
                                         url=files + big["file_id"])  # fmt: skip
        elif message.get("document"):
            doc = message["document"]
            line = TEXTS["document"].format(name=doc.get("file_name", ""),
                                            size=doc.get("file_size", 0),
                                            url=files + doc["file_id"])  # fmt: skip
        else:
            return ""
        caption = message.get("caption")
        return f"{line} {caption}" if caption else line

    async def follow(self) -> None:
        """Long-poll the control feed and print what bots do, until cancelled; EmulatorGone
        when the emulator can no longer be reached."""
        while True:
            try:
                events, last = await self.client.events(after=self.seq, wait=20)
            except aiohttp.ClientConnectionError:
                raise EmulatorGone(self.client.base_url) from None
            except (EmulatorControlError, aiohttp.ClientError, TimeoutError) as exc:
                self.say("error", error=exc)
                await asyncio.sleep(1)
                continue
            for event in events:
                if event.get("bot_id") is not None and event["bot_id"] not in self.names:
                    with contextlib.suppress(EmulatorControlError):
                        await self.refresh_bots()
                self.show(event)
            self.seq = max(self.seq, last)

    # --- commands -----------------------------------------------------------------------------

    async def press(self, arg: str) -> None:
        """Press button N of the last message that had buttons."""
        if self.last_buttons is None:
            self.say("no_buttons")
            return
        bot_id, chat_id, message_id, buttons = self.last_buttons
        if not arg.isdigit() or not 1 <= int(arg) <= len(buttons):
            self.say("bad_button", n=arg, count=len(buttons))
            return
        button = buttons[int(arg) - 1]
        if "callback_data" not in button:
            self.say("not_callback", n=arg, url=button.get("url", "?"))
            return
        self.arrived = 0
        await self.client.press_button(
            bot_id, self.user_id, message_id, button=int(arg) - 1, chat_id=chat_id
        )

    async def wait(self, arg: str) -> None:
        """Wait for N bot messages, edits or deletions since the user last sent or pressed."""
        target = int(arg) if arg.isdigit() else 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while self.arrived < target and loop.time() < deadline:
            self.arrival.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrival.wait(), deadline - loop.time())
        if self.arrived < target:
            self.say("waited")

    async def switch_bot(self, name: str) -> None:
        """Talk to another bot, by username or id."""
        bots = await self.refresh_bots()
        wanted = name.lstrip("@").lower()
        for bot in bots:
            if bot["username"].lower() == wanted or str(bot["id"]) == wanted:
                self.bot = bot
                self.say("bot_switched", username=bot["username"])
                return
        self.say("error", error=f"no bot {name}")

    async def list_bots(self) -> None:
        """Print every bot, marking the current one."""
        for bot in await self.refresh_bots():
            mark = "*" if self.bot and bot["id"] == self.bot["id"] else " "
            self.say("bot_line", mark=mark, username=bot["username"], id=bot["id"])

    async def command(self, line: str) -> bool:
        """Run a :command; False means quit."""
        name, _, arg = line[1:].partition(" ")
        arg = arg.strip()
        if name == "quit":
            return False
        if name == "help":
            self.say("help")
        elif name == "bots":
            await self.list_bots()
        elif name == "bot":
            await self.switch_bot(arg)
        elif name == "press":
            await self.press(arg)
        elif name == "wait":
            await self.wait(arg)
        elif name == "user" and arg.lstrip("-").isdigit():
            self.user_id, self.chat_id = int(arg), None
            self.say("user_switched", user_id=self.user_id)
        elif name == "newuser" and arg:
            first, _, lang = arg.partition(" ")
            user = await self.client.create_user(first, language_code=lang.strip() or None)
            self.user_id, self.chat_id = user["id"], None
            self.say("user_switched", user_id=self.user_id)
        elif name == "newbot":
            await self.new_bot(arg)
        elif name == "chat":
            self.chat_id = int(arg) if arg.lstrip("-").isdigit() else None
            self.say("chat_switched", chat_id=self.chat_id or self.user_id)
        else:
            self.say("unknown", command=line)
        return True

    async def new_bot(self, arg: str) -> None:
        """Create another bot in the emulator, e.g. to add it as a company's own bot."""
        username, _, first_name = arg.partition(" ")
        username = username.lstrip("@")
        if not username.lower().endswith("bot"):
            self.say("bad_newbot")
            return
        bot = await self.client.create_bot(username, first_name.strip() or None)
        await self.refresh_bots()
        self.say("bot_created", username=bot["username"], id=bot["id"], token=bot["token"])

    async def send(self, text: str) -> None:
        """Send what the person typed to the current bot as the current user."""
        if self.bot is None:
            await self.refresh_bots()
            if not self.names:
                self.say("no_bot")
                return
            self.bot = (await self.client.bots())[0]
        self.arrived = 0
        await self.client.send_text(self.bot["id"], self.user_id, text, self.chat_id)

    async def run(
        self, user_id: int | None, bot_name: str | None, user_name: str | None = None
    ) -> None:
        """Set up identity, follow the feed and read lines until :quit or end of input.

        Raises EmulatorGone, after closing everything, when the emulator stops answering."""
        try:
            _, self.seq = await self.client.events()
            if user_id is None:
                user_id = (await self.client.create_user("Sandbox", language_code="en"))["id"]
            self.user_id = user_id
            bots = await self.refresh_bots()
        except aiohttp.ClientConnectionError:
            raise EmulatorGone(self.client.base_url) from None
        if bot_name:
            await self.switch_bot(bot_name)
        elif bots:
            self.bot = bots[0]
        label = f"@{self.bot['username']}" if self.bot else "no bot"
        user = user_name or "you"
        self.say("welcome", base=self.client.base_url, user=user, user_id=user_id, bot=label)
        follower = asyncio.create_task(self.follow())
        reader = asyncio.create_task(self._read_commands())
        try:
            done, _ = await asyncio.wait({follower, reader}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # EmulatorGone from either
        finally:
            for task in (follower, reader):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, EmulatorGone):
                    await task
        self.say("bye")

    async def _read_commands(self) -> None:
        while (line := await self.read_line()) is not None:
            line = line.strip()
            if not line:
                continue
            try:
                if line.startswith(":"):
                    if not await self.command(line):
                        return
                else:
                    await self.send(line)
            except EmulatorControlError as exc:
                self.say("error", error=exc.message)
            except aiohttp.ClientConnectionError:
                raise EmulatorGone(self.client.base_url) from None


class _ThreadReader:
    """Lines from a blocking stream, read in a daemon thread: a session that ends because the
    emulator went away must not wait for the person to press Enter (asyncio.to_thread would
    keep the process alive until the read returns)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, daemon=True, name="sandbox-stdin").start()

    def _pump(self) -> None:
        while True:
            try:
                line = self._stream.readline()
            except (OSError, ValueError):
                line = ""
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
            if not line:
                return

    async def readline(self) -> Any:
        return await self._queue.get()


async def run_sandbox(
    base_url: str,
    *,
    stdin: Any = None,
    stdout: TextIO | None = None,
    user_id: int | None = None,
    bot: str | None = None,
    user_name: str | None = None,
) -> None:
    """Play a Telegram user in the terminal against a running emulator at base_url;
    EmulatorGone when the emulator stops answering."""
    async with EmulatorClient(base_url) as client:
        session = Sandbox(client, stdin or sys.stdin, stdout or sys.stdout)
        await session.run(user_id, bot, user_name)


def main(argv: list[str] | None = None) -> None:
    """`python -m tg_emulator.sandbox http://127.0.0.1:8081 [--user ID] [--bot NAME]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tg_emulator.sandbox")
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8081")
    parser.add_argument("--user", type=int, default=None)
    parser.add_argument("--bot", default=None)
    args = parser.parse_args(argv)
    try:
        asyncio.run(run_sandbox(args.base_url, user_id=args.user, bot=args.bot))
    except EmulatorGone as exc:
        sys.exit(f"sandbox: {exc}")
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
