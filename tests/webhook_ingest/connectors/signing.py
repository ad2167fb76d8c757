"""Test-side signers: sign a fixture request the way each vendor does, from its SDK's formula."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parents[2] / "data" / "cloud"


@dataclass(frozen=True)
class Signed:
    sub_path: str
    form: dict[str, str]
    headers: dict[str, str]
    json_body: dict | None = None
    body: bytes | None = None  # a raw JSON body, posted byte for byte (the vendor signs it)


def mango(leg: dict, opts: dict[str, str], url: str) -> Signed:
    body = json.dumps(leg["json"], ensure_ascii=False)
    sign = hashlib.sha256((opts["api_key"] + body + opts["api_salt"]).encode()).hexdigest()
    form = {"vpbx_api_key": opts["api_key"], "sign": sign, "json": body}
    return Signed(leg["path"], form, {})


ZD_FIELDS = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
}


def zadarma(leg: dict, opts: dict[str, str], url: str) -> Signed:
    form = leg["form"]
    text = "".join(form.get(f, "") for f in ZD_FIELDS[form["event"]])
    # PHP: base64_encode(hash_hmac('sha1', $text, $secret)) — base64 of the hex string.
    hexed = hmac.new(opts["secret"].encode(), text.encode(), hashlib.sha1).hexdigest()
    return Signed("", form, {"Signature": base64.b64encode(hexed.encode()).decode()})


def crm_api(leg: dict, opts: dict[str, str], url: str) -> Signed:
    return Signed("", {**leg["form"], "crm_token": opts["crm_token"]}, {})


def twilio(leg: dict, opts: dict[str, str], url: str) -> Signed:
    form = leg["form"]
    text = url + "".join(k + form[k] for k in sorted(form))
    digest = hmac.new(opts["auth_token"].encode(), text.encode(), hashlib.sha1).digest()
    return Signed("", form, {"X-Twilio-Signature": base64.b64encode(digest).decode()})


def bitrix24(leg: dict, opts: dict[str, str], url: str) -> Signed:
    return Signed("", {**leg["form"], "auth[application_token]": opts["application_token"]}, {})


def rostelecom(leg: dict, opts: dict[str, str], url: str) -> Signed:
    body = json.dumps(leg["json"], ensure_ascii=False).encode()
    digest = hashlib.sha256(opts["client_id"].encode() + body + opts["client_key"].encode())
    headers = {"X-Client-ID": opts["client_id"], "X-Client-Sign": digest.hexdigest()}
    return Signed("", {}, headers, body=body)


def unsigned(leg: dict, opts: dict[str, str], url: str) -> Signed:
    if "json" in leg:
        return Signed("", {}, {}, leg["json"])
    return Signed("", dict(leg["form"]), {})


@dataclass(frozen=True)
class Row:
    vendor: str
    fixtures: str
    options: dict[str, str]
    sign: Callable[[dict, dict[str, str], str], Signed]
    signed: bool = True

    def cases(self) -> dict:
        return json.loads((DATA / self.fixtures / "cases.json").read_text("utf-8"))


ROWS = [
    Row("mango", "mango", {"api_key": "mk-4f1d9a", "api_salt": "ms-77c0e2"}, mango),
    Row("zadarma", "zadarma", {"secret": "zd-secret-8e21"}, zadarma),
    Row("novofon", "zadarma", {"secret": "nf-secret-1c44"}, zadarma),
    Row("megafon", "crm_api", {"crm_token": "mf-token-53aa"}, crm_api),
    Row("domru", "crm_api", {"crm_token": "dr-token-0b19"}, crm_api),
    Row("gravitel", "crm_api", {"crm_token": "gr-token-6d2e"}, crm_api),
    Row("westcall", "crm_api", {"crm_token": "wc-token-9f70"}, crm_api),
    Row("twilio", "twilio", {"auth_token": "tw-token-2a6b"}, twilio),
    Row("bitrix24", "bitrix24", {"application_token": "b24-token-4e8c"}, bitrix24),
    Row(
        "rostelecom",
        "rostelecom",
        {"client_id": "rt-id-31f7", "client_key": "rt-key-c90a"},
        rostelecom,
    ),
    Row("sipuni", "sipuni", {}, unsigned, signed=False),
    Row("telphin", "telphin", {}, unsigned, signed=False),
    Row("uis", "uis", {}, unsigned, signed=False),
]
SIGNED_ROWS = [r for r in ROWS if r.signed]
