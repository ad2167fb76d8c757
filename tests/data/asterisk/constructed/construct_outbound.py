"""Builds the constructed (not recorded) outbound-call AMI streams 20 and 21; the rules they
exercise are in tests/data/asterisk/README.md.

Run from the repository root: `python tests/data/asterisk/constructed/construct_outbound.py`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
T0 = 1795790000.0  # 2026-11-27T14:33:20Z
PHONE, TRUNK = "PJSIP/102-0000001a", "PJSIP/trunk-0000001b"
U_PHONE, U_TRUNK = "1795790000.40", "1795790000.41"
DIALLED = "87011234567"


def _channel(prefix: str, chan: str, state: str, cid: str, name: str, ctx: str, exten: str,
             uid: str) -> list[tuple[str, str]]:  # fmt: skip
    desc = {"0": "Down", "4": "Ring", "5": "Ringing", "6": "Up"}[state]
    return [
        (f"{prefix}Channel", chan),
        (f"{prefix}ChannelState", state),
        (f"{prefix}ChannelStateDesc", desc),
        (f"{prefix}CallerIDNum", cid),
        (f"{prefix}CallerIDName", name),
        (f"{prefix}ConnectedLineNum", "<unknown>"),
        (f"{prefix}ConnectedLineName", "<unknown>"),
        (f"{prefix}Language", "en"),
        (f"{prefix}AccountCode", ""),
        (f"{prefix}Context", ctx),
        (f"{prefix}Exten", exten),
        (f"{prefix}Priority", "1"),
        (f"{prefix}Uniqueid", uid),
        (f"{prefix}Linkedid", U_PHONE),
    ]


def phone(state: str) -> list[tuple[str, str]]:
    return _channel("", PHONE, state, "102", "Olga", "from-internal", DIALLED, U_PHONE)


def trunk(state: str, prefix: str = "") -> list[tuple[str, str]]:
    return _channel(prefix, TRUNK, state, DIALLED, "<unknown>", "from-trunk", "s", U_TRUNK)


def event(name: str, at: float, body: list[tuple[str, str]], *extra: tuple[str, str]) -> str:
    lines = [f"Event: {name}", "Privilege: call,all", f"Timestamp: {at:.6f}"]
    lines += [f"{k}: {v}" for k, v in [*body, *extra]]
    return "\r\n".join(lines) + "\r\n\r\n"


def stream(answered: bool) -> str:
    out = ["Asterisk Call Manager/11.0.0\r\n",
           "Response: Success\r\nActionID: login\r\nMessage: Authentication accepted\r\n\r\n",
           "Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 40\r\nLastReload: 40\r\n"
           "Status: Fully Booted\r\n\r\n"]  # fmt: skip
    t = T0
    out.append(event("Newchannel", t, phone("4")))
    out.append(event("Newexten", t + 0.0001, phone("4"), ("Extension", DIALLED),
                     ("Application", "Dial"), ("AppData", f"PJSIP/{DIALLED}@trunk,60")))  # fmt: skip
    out.append(event("Newchannel", t + 0.001, trunk("0")))
    out.append(event("DialBegin", t + 0.002, phone("4") + trunk("0", "Dest"),
                     ("DialString", f"{DIALLED}@trunk")))  # fmt: skip
    out.append(event("Newstate", t + 0.4, trunk("5")))
    out.append(event("DialState", t + 0.4, phone("4") + trunk("5", "Dest"),
                     ("DialStatus", "RINGING")))  # fmt: skip
    if answered:
        t_ans, t_end = t + 6.5, t + 6.5 + 130.0
        out.append(event("Newstate", t_ans, trunk("6")))
        out.append(event("DialEnd", t_ans + 0.001, phone("4") + trunk("6", "Dest"),
                         ("DialStatus", "ANSWER")))  # fmt: skip
        out.append(event("Newstate", t_ans + 0.002, phone("6")))
        bridge = [("BridgeUniqueid", "5c1f0a52-7d1b-4b41-9a0e-2f3c4d5e6f70"),
                  ("BridgeType", "basic"), ("BridgeTechnology", "simple_bridge")]  # fmt: skip
        out.append(event("BridgeEnter", t_ans + 0.003, bridge + phone("6")))
        out.append(event("BridgeEnter", t_ans + 0.004, bridge + trunk("6")))
        out.append(event("BridgeLeave", t_end, bridge + trunk("6")))
        out.append(event("Hangup", t_end + 0.001, trunk("6"), ("Cause", "16"),
                         ("Cause-txt", "Normal Clearing")))  # fmt: skip
        out.append(event("BridgeLeave", t_end + 0.002, bridge + phone("6")))
        out.append(event("Hangup", t_end + 0.003, phone("6"), ("Cause", "16"),
                         ("Cause-txt", "Normal Clearing")))  # fmt: skip
    else:
        t_end = t + 30.0  # the caller at the phone gives up after 30 s of ringing
        out.append(event("Hangup", t_end, trunk("5"), ("Cause", "0"),
                         ("Cause-txt", "Unknown")))  # fmt: skip
        out.append(event("DialEnd", t_end + 0.001, phone("4") + trunk("5", "Dest"),
                         ("DialStatus", "CANCEL")))  # fmt: skip
        out.append(event("Hangup", t_end + 0.002, phone("4"), ("Cause", "16"),
                         ("Cause-txt", "Normal Clearing")))  # fmt: skip
    out.append("Response: Goodbye\r\nActionID: logoff\r\nMessage: Thanks for all the fish.\r\n\r\n")
    return "".join(out)


if __name__ == "__main__":
    (HERE / "20-outbound-answered.ami").write_bytes(stream(True).encode())
    (HERE / "21-outbound-noanswer.ami").write_bytes(stream(False).encode())
