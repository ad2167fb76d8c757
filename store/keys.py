"""Every Redis key the store uses, in one place; a tenant's keys share one hash tag."""

from __future__ import annotations

PREFIX = "pz"

SCHEMA = f"{PREFIX}:schema"
# A constant sealed with SECRET_KEY: proves every process uses the key the data was sealed with.
SECRET_CHECK = f"{PREFIX}:secretcheck"
TENANT_SEQ = f"{PREFIX}:seq:tenant"
TENANTS = f"{PREFIX}:tenants"
AMI_SEQ = f"{PREFIX}:seq:ami"
AMI = f"{PREFIX}:ami"
# "tenant:bot" of every active custom bot, and the channel that says this set changed.
ACTIVE_BOTS = f"{PREFIX}:bots:active"
# "tenant:bot" of every custom bot that was active and was switched off (score: when); its
# runtime still answers the chats that write to it, saying which bot delivers now.
RETIRED_BOTS = f"{PREFIX}:bots:retired"
BOTS_CHANGED = f"{PREFIX}:bots:changed"
# Counts every change of any tenant's bots: a reader with the same count has nothing to re-read.
BOTS_VERSION = f"{PREFIX}:bots:version"
# Before the intake was sharded, every accepted unit of work entered this one stream; a worker
# moves what an upgrade left in it into the tenants' streams once (store/intake.py).
LEGACY_INTAKE = f"{PREFIX}:intake"
LEGACY_INTAKE_LOCK = f"{PREFIX}:intake:legacy_lock"
# Changes so far to any tenant's connectors (added, removed): ingest caches them until it moves.
CONNECTORS_VERSION = f"{PREFIX}:connectors:version"
# /metrics (store/counters.py): counter (with labels) -> count; latency bucket -> count.
METRICS_COUNTERS = f"{PREFIX}:metrics:counters"
METRICS_LATENCY = f"{PREFIX}:metrics:latency"
# Tenants with calls held for a digest -> the earliest time one is due (store/hours.py).
HELD_DUE = f"{PREFIX}:held_due"
# The index of `weekly(tid)`: tenant -> when its next report is due (store/weekly.py).
WEEKLY_DUE = f"{PREFIX}:weekly_due"
# Silent PBX (store/heartbeat.py): tenant -> last event; AMI link -> last seen connected;
# raised alarms (tenant id or "ami:<link>") -> since when; the checkers' lock.
HEARTBEAT = f"{PREFIX}:heartbeat"
AMI_SEEN = f"{PREFIX}:ami_seen"
ALARMS = f"{PREFIX}:alarms"
ALARMS_LOCK = f"{PREFIX}:alarms_lock"


def api_key(key_hash: str) -> str:
    return f"{PREFIX}:apikey:{key_hash}"


def bot_token(token_hash: str) -> str:
    return f"{PREFIX}:bottoken:{token_hash}"


def bot_tg(bot_tg_id: int) -> str:
    return f"{PREFIX}:botid:{bot_tg_id}"


def chat_tenants(chat_id: int) -> str:
    return f"{PREFIX}:chat:{chat_id}:tenants"


def chat_admin_of(chat_id: int) -> str:
    return f"{PREFIX}:chat:{chat_id}:admin"


def started(bot_tg_id: int) -> str:
    return f"{PREFIX}:started:{bot_tg_id}"


def purge(bot_tg_id: int) -> str:
    """Messages of a bot due for deletion: "chat:message" scored by when (store/purges.py)."""
    return f"{PREFIX}:adm:purge:{bot_tg_id}"


def profile(bot_tg_id: int) -> str:
    return f"{PREFIX}:profile:{bot_tg_id}"


def throttle(chat_id: int) -> str:
    return f"{PREFIX}:throttle:{chat_id}"


def _t(tid: str) -> str:
    # The braces are a Redis Cluster hash tag: one tenant's keys land in one slot.
    return f"{PREFIX}:{{t{tid}}}"


def tenant(tid: str) -> str:
    return f"{_t(tid)}:tenant"


def ami_dialers(tid: str) -> str:
    """Set: ids of the tenant's AMI links allowed to place calls (an index of `AMI`)."""
    return f"{_t(tid)}:ami_dial"


def groups(tid: str) -> str:
    return f"{_t(tid)}:groups"


def group(tid: str, gid: str) -> str:
    return f"{_t(tid)}:group:{gid}"


def subs(tid: str) -> str:
    return f"{_t(tid)}:subs"


def sub(tid: str, chat_id: int) -> str:
    return f"{_t(tid)}:sub:{chat_id}"


def key_leak(tid: str, chat_id: int) -> str:
    """Set while the tenant's admins know its key was left visible in this group chat."""
    return f"{_t(tid)}:keyleak:{chat_id}"


def bots(tid: str) -> str:
    return f"{_t(tid)}:bots"


def bot(tid: str, bid: str) -> str:
    return f"{_t(tid)}:bot:{bid}"


def bot_active(tid: str) -> str:
    return f"{_t(tid)}:bot_active"


def leaving_bot(tid: str, bot_tg_id: int) -> str:
    """A bot switched off or deleted, kept (token sealed) while its farewell is delivered."""
    return f"{_t(tid)}:leaving:{bot_tg_id}"


def bot_seq(tid: str) -> str:
    return f"{_t(tid)}:seq:bot"


def admins(tid: str) -> str:
    return f"{_t(tid)}:admins"


def calls(tid: str) -> str:
    return f"{_t(tid)}:calls"


def call(tid: str, call_id: str) -> str:
    return f"{_t(tid)}:call:{call_id}"


def caller_names(tid: str) -> str:
    """Caller digits -> the name a PBX last gave that caller (store/caller_names.py)."""
    return f"{_t(tid)}:names"


def intake(tid: str) -> str:
    """The tenant's intake stream: every accepted unit of work, in the tenant's slot."""
    return f"{_t(tid)}:intake"


def intake_ready(shard: int) -> str:
    """One shard of the ready index (tenant -> version), in a slot of its own."""
    return f"{PREFIX}:{{ix{shard}}}:intake_ready"


def group_ignored(tid: str, gid: str) -> str:
    """Calls ignored because the group does not notify: a hash of UTC day -> count."""
    return f"{_t(tid)}:ignored:{gid}"


# Cloud PBX connectors: the global index connector id -> tenant id, and the tenant's records.
def connector(cid: str) -> str:
    return f"{PREFIX}:connector:{cid}"


def connectors(tid: str) -> str:
    return f"{_t(tid)}:connectors"


def connector_status(tid: str, cid: str) -> str:
    """Last event received and last request rejected, for the admins' «test»."""
    return f"{_t(tid)}:connector:{cid}:status"


def pbx_call(tid: str, call_id: str) -> str:
    """A call a vendor reports as a series of events, folded until its end (store/pbx_calls.py)."""
    return f"{_t(tid)}:pbxcall:{call_id}"


# --- access without the key (store/invites.py, store/ingest_tokens.py, store/audit.py) ---
# The identity of the default bot, as the running service last learnt it from getMe.
DEFAULT_BOT = f"{PREFIX}:bots:default"


def invite_code(code_hash: str) -> str:
    """Global index: an invite code's SHA-256 -> its tenant."""
    return f"{PREFIX}:invite:{code_hash}"


def invites(tid: str) -> str:
    return f"{_t(tid)}:invites"


def invite(tid: str, code_hash: str) -> str:
    return f"{_t(tid)}:invite:{code_hash}"


def ingest_token(token_hash: str) -> str:
    """Global index: an ingest token's SHA-256 -> "tenant:name"."""
    return f"{PREFIX}:ingesttoken:{token_hash}"


def ingest_tokens(tid: str) -> str:
    return f"{_t(tid)}:ingesttokens"


def ingest_token_of(tid: str, name: str) -> str:
    return f"{_t(tid)}:ingesttoken:{name}"


def audit(tid: str) -> str:
    return f"{_t(tid)}:audit"


# What an operator changed outside every tenant (the default bot's pace): same entries.
SERVICE_AUDIT = f"{PREFIX}:audit:service"


def held(tid: str) -> str:
    """Calls held for the digest: call id -> when it is due (the next opening)."""
    return f"{_t(tid)}:held"


def held_lock(tid: str) -> str:
    return f"{_t(tid)}:held_lock"


def topic_lock(tid: str, gid: str) -> str:
    """Held while a worker creates the forum topic of a group (store/topics.py)."""
    return f"{_t(tid)}:topic_lock:{gid}"


def forum_groups(chat_id: int) -> str:
    """The groups bound to one forum supergroup ("tenant:group"), so that a bot removed from
    the forum can unbind them (store/topics.py). A global index: written before the group's
    field and cleaned after it, and every entry is checked against the field when read."""
    return f"{PREFIX}:forum_groups:{chat_id}"


def forum_code(tid: str, code: str) -> str:
    """A one-time code that binds a group to a forum the bot is added to (store/topics.py)."""
    return f"{_t(tid)}:forum_code:{code}"


def weekly(tid: str) -> str:
    """When the tenant's next weekly report is due; absent while it is off (store/weekly.py)."""
    return f"{_t(tid)}:weekly"


def upload(tid: str, digest: str) -> str:
    """A file's bytes (base64) a FILE job sends, kept apart from the job with a TTL."""
    return f"{_t(tid)}:upload:{digest}"


def quiet(tid: str) -> str:
    """Personal quiet hours of a tenant's subscribers: chat id -> "22:00-08:00"."""
    return f"{_t(tid)}:quiet"


# --- follow-up: a missed call's life (store/followup.py) ---------------------------------------
# Unresolved cards due for escalation, reminder or expiry: "tid|card|step" scored by due time.
FOLLOWUP_DUE = f"{PREFIX}:fu:due"


def fu_seq(tid: str) -> str:
    return f"{_t(tid)}:fu:seq"


def fu_card(tid: str, card: str) -> str:
    return f"{_t(tid)}:fu:card:{card}"


def fu_cards(tid: str) -> str:
    """Every recent card, scored by first seen."""
    return f"{_t(tid)}:fu:cards"


def fu_open(tid: str) -> str:
    """Unresolved cards, scored by first seen."""
    return f"{_t(tid)}:fu:open"


def fu_caller_open(tid: str, number: str) -> str:
    """The id of the caller's unresolved card (numbers in E.164)."""
    return f"{_t(tid)}:fu:caller_open:{number}"


def fu_caller(tid: str, number: str) -> str:
    """A caller's history: last answered, last called back."""
    return f"{_t(tid)}:fu:caller:{number}"


def fu_seen(tid: str, number: str) -> str:
    """A caller's inbound calls (call id -> time), the last 30 days."""
    return f"{_t(tid)}:fu:seen:{number}"


def fu_ref(tid: str, call_id: str) -> str:
    """A PBX call id already applied to the follow-up record (-> card id or '-')."""
    return f"{_t(tid)}:fu:ref:{call_id}"


def fu_copies(tid: str, card: str) -> str:
    """Every message of a card: "chat:bot:message" -> "custom bot id|version shown"."""
    return f"{_t(tid)}:fu:copies:{card}"


# --- the bot runtime: leases and PTB persistence (store/leases.py, store/bot_state.py) ----------
RUNTIME = f"{PREFIX}:rt"


def lease(bot_tg_id: int) -> str:
    """Which runtime instance polls (or takes webhooks for) this bot."""
    return f"{RUNTIME}:lease:{bot_tg_id}"


def _b(bot_tg_id: int) -> str:
    # One hash tag per bot, so a bot's PTB state lives in one Redis Cluster slot.
    return f"{RUNTIME}:{{b{bot_tg_id}}}"


def conversations(bot_tg_id: int, name: str) -> str:
    return f"{_b(bot_tg_id)}:conv:{name}"


def user_data(bot_tg_id: int) -> str:
    return f"{_b(bot_tg_id)}:user_data"


def chat_data(bot_tg_id: int) -> str:
    return f"{_b(bot_tg_id)}:chat_data"


# --- «Позвонить»: call-back requests for the process holding an AMI link (store/dial.py) ---------
def dial_queue(aid: str) -> str:
    """Requests waiting for AMI link `aid` (braces: the queue and its taken list share a slot)."""
    return f"{PREFIX}:dial:{{a{aid}}}:queue"


def dial_taken(aid: str) -> str:
    """Requests the link's owner took and has not finished (never sent again)."""
    return f"{PREFIX}:dial:{{a{aid}}}:taken"


def dial_once(tid: str, card: str, user: int) -> str:
    """Set while one user's call-back request for one card is pending: a double tap rings once."""
    return f"{_t(tid)}:fu:dial:{card}:{user}"


def fu_early(tid: str, number: str) -> str:
    """Answered and outbound calls of a number that had no card yet (event JSON -> time): the
    missed call's card, made a moment later by the fan-out, applies them."""
    return f"{_t(tid)}:fu:early:{number}"
