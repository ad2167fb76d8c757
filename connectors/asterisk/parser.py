"""Incremental, bounded parser for the Asterisk Manager Interface byte stream."""

from __future__ import annotations

from dataclasses import dataclass, field

BANNER_PREFIX = "Asterisk Call Manager/"
END_COMMAND = "--END COMMAND--"


@dataclass(frozen=True, slots=True)
class AmiMessage:
    """One AMI packet: ordered headers, repeated keys (ChanVariable, Output) kept."""

    headers: tuple[tuple[str, str], ...]
    first: dict[str, str] = field(repr=False, compare=False)

    @classmethod
    def of(cls, headers: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> AmiMessage:
        """Build a message from ordered pairs; the first value of a repeated key wins `get`."""
        first: dict[str, str] = {}
        for key, value in headers:
            if key not in first:
                first[key] = value
        return cls(tuple(headers), first)

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of `key`, or `default`."""
        return self.first.get(key, default)

    def get_all(self, key: str) -> list[str]:
        """Every value of `key`, in stream order."""
        return [value for k, value in self.headers if k == key]

    @property
    def event(self) -> str | None:
        """The `Event` name, or None for responses."""
        return self.first.get("Event")

    @property
    def response(self) -> str | None:
        """The `Response` value (Success, Error, Follows, Goodbye), or None for events."""
        return self.first.get("Response")


@dataclass(slots=True)
class ParserStats:
    """Counters of input the parser refused, so operators can see a noisy stream."""

    messages: int = 0
    garbage_lines: int = 0
    dropped_lines: int = 0
    dropped_packets: int = 0


class AmiParser:
    """Feed raw bytes, get complete `AmiMessage`s; memory stays bounded on any input."""

    def __init__(
        self,
        *,
        max_line_bytes: int = 16_384,
        max_packet_bytes: int = 262_144,
        max_headers: int = 1_024,
    ) -> None:
        self.max_line_bytes = max_line_bytes
        self.max_packet_bytes = max_packet_bytes
        self.max_headers = max_headers
        self.stats = ParserStats()
        self.banner: str | None = None
        self._tail = b""
        self._skipping_line = False  # inside an over-long line: discard up to its newline
        self._headers: list[tuple[str, str]] = []
        self._packet_bytes = 0
        self._packet_dropped = False  # packet overflowed: discard up to its blank line
        self._follows = False  # `Response: Follows`: raw output lines until --END COMMAND--
        self._seen_first_line = False
        self._prev_blank = False

    def feed(self, data: bytes) -> list[AmiMessage]:
        """Consume a chunk of the stream and return the messages it completed."""
        out: list[AmiMessage] = []
        if not data:
            return out
        buf = self._tail + data if self._tail else data
        if self._skipping_line:
            nl = buf.find(b"\n")
            if nl < 0:
                self._tail = b""
                return out
            self._skipping_line = False
            buf = buf[nl + 1 :]
        end = buf.rfind(b"\n")
        if end < 0:
            self._keep_tail(buf)
            return out
        self._keep_tail(buf[end + 1 :])
        max_line = self.max_line_bytes
        for raw in buf[:end].split(b"\n"):
            if len(raw) > max_line:
                self.stats.dropped_lines += 1
                continue
            self._line(raw.decode("utf-8", "replace").rstrip("\r"), len(raw), out)
        return out

    def _keep_tail(self, tail: bytes) -> None:
        # A partial line longer than any line we accept can only be dropped; skip to its end.
        if len(tail) > self.max_line_bytes:
            self.stats.dropped_lines += 1
            self._skipping_line = True
            self._tail = b""
        else:
            self._tail = tail

    def _line(self, line: str, size: int, out: list[AmiMessage]) -> None:
        if not self._seen_first_line:
            self._seen_first_line = True
            if line.startswith(BANNER_PREFIX):
                self.banner = line
                return
        if self._follows:
            if not (self._prev_blank and line.startswith(("Event: ", "Response: "))):
                self._prev_blank = not line
                self._follows_line(line, size, out)
                return
            # An unterminated command output must not swallow the packets after it.
            self._end_packet(out)
        if not line:
            self._end_packet(out)
            return
        if self._packet_dropped:
            return
        key, sep, value = line.partition(":")
        if not sep or not key or " " in key:
            self.stats.garbage_lines += 1
            return
        if value.startswith(" "):
            value = value[1:]
        self._add(key, value, size)
        if key == "Response" and value == "Follows" and len(self._headers) == 1:
            self._follows = True

    def _follows_line(self, line: str, size: int, out: list[AmiMessage]) -> None:
        # Old-style command output may hold blank lines; only --END COMMAND-- closes it.
        if line.endswith(END_COMMAND):
            head = line[: -len(END_COMMAND)]
            if head:
                self._add("Output", head, size)
            self._follows = False
            self._end_packet(out)
            return
        key, sep, value = line.partition(": ")
        if sep and key and " " not in key and key[0].isupper() and len(self._headers) < 4:
            self._add(key, value, size)
        else:
            self._add("Output", line, size)

    def _add(self, key: str, value: str, size: int) -> None:
        if self._packet_dropped:
            return
        self._packet_bytes += size
        if self._packet_bytes > self.max_packet_bytes or len(self._headers) >= self.max_headers:
            self._packet_dropped = True
            self._headers = []
            return
        self._headers.append((key, value))

    def _end_packet(self, out: list[AmiMessage]) -> None:
        if self._packet_dropped:
            self.stats.dropped_packets += 1
        elif self._headers:
            out.append(AmiMessage.of(self._headers))
            self.stats.messages += 1
        self._headers = []
        self._packet_bytes = 0
        self._packet_dropped = False
        self._follows = False
        self._prev_blank = False
