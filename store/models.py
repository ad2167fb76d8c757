"""The domain records the store hands out: plain immutable values, no Redis in them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEFAULT_GROUP = "default"


class SubStatus(StrEnum):
    ACTIVE = "active"
    MUTED = "muted"
    DISABLED = "disabled"
    UNREACHABLE = "unreachable"


class BotStatus(StrEnum):
    ACTIVE = "active"
    OFF = "off"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class Tenant:
    id: str
    name: str
    tz: str
    lang: str
    key_prefix: str
    created_at: float
    # Whether a group first named by the PBX notifies at once (else it starts switched off
    # and waits for an admin). Tenants stored before this policy existed keep "off".
    new_groups: bool = False
    # Whether `/activate <API key>` subscribes (off: only invite links do).
    key_activation: bool = True
    # Follow-up: minutes before an unclaimed card goes to the admins (0 = never), and hours
    # within which a call back resolves a missed call (after that it expires).
    escalate_after: int = 15
    callback_window: int = 24


@dataclass(frozen=True, slots=True)
class Group:
    tenant_id: str
    id: str
    name: str
    notify: bool
    created_at: float
    # A Telegram chat (a group the bot is in) that also gets this group's escalations; 0 = none.
    escalation_chat: int = 0


@dataclass(frozen=True, slots=True)
class Subscription:
    tenant_id: str
    chat_id: int
    name: str
    username: str | None
    status: SubStatus
    status_changed_at: float
    # None means "every group of the tenant", including groups created later.
    groups: frozenset[str] | None
    created_at: float
    # The employee's PBX extension: «Позвонить» rings it first ("" = not set).
    extension: str = ""

    def follows(self, group_id: str) -> bool:
        return self.groups is None or group_id in self.groups


@dataclass(frozen=True, slots=True)
class CustomBot:
    tenant_id: str
    id: str
    name: str
    username: str
    tg_id: int
    status: BotStatus
    created_at: float
    token: str = ""

    def __repr__(self) -> str:
        return f"CustomBot(tenant_id={self.tenant_id!r}, id={self.id!r}, @{self.username})"


@dataclass(frozen=True, slots=True)
class AmiLink:
    id: str
    tenant_id: str
    host: str
    port: int
    username: str
    tls: bool
    secret: str = ""
    # DID -> group id, for calls that reach no queue; the queue name wins when there is one.
    did_groups: dict[str, str] | None = None
    # Dialplan contexts where calls from the outside world enter (FreePBX: from-trunk...).
    contexts: tuple[str, ...] = ()
    # PEM file of the CA that signed a self-signed AMI TLS certificate.
    tls_ca: str | None = None
    # «Позвонить»: whether Perezvon may place calls through this PBX (AMI Originate: ring
    # `<dial_tech>/<extension>`, then run `dial_context` at the customer's number, or the
    # application `dial_app` with `dial_data`, where "{number}" is the customer's number).
    dial: bool = False
    dial_tech: str = "PJSIP"
    dial_context: str = "from-internal"
    dial_app: str = ""
    dial_data: str = ""

    def __repr__(self) -> str:
        return f"AmiLink(id={self.id!r}, tenant_id={self.tenant_id!r}, {self.host}:{self.port})"


@dataclass(frozen=True, slots=True)
class RecordedCall:
    tenant_id: str
    call_id: str
    group_id: str
    payload: str
    recorded_at: float
