"""Cloud PBX connectors: one module per vendor, listed here explicitly (no folder scanning)."""

from __future__ import annotations

from webhook_ingest.connectors import (
    bitrix24,
    crm_api,
    mango,
    rostelecom,
    sipuni,
    telphin,
    twilio,
    uis,
    zadarma,
)
from webhook_ingest.connectors.base import Vendor

REGISTRY: dict[str, Vendor] = {
    v.name: v
    for v in (
        mango.VENDOR,
        zadarma.ZADARMA,
        zadarma.NOVOFON,
        *crm_api.VENDORS,
        twilio.VENDOR,
        bitrix24.VENDOR,
        sipuni.VENDOR,
        telphin.VENDOR,
        uis.VENDOR,
        rostelecom.VENDOR,
    )
}
# Options every vendor takes besides its own: repeatable source-IP allowlist entries.
COMMON_OPTIONS = ("allow_ip",)
