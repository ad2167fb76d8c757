"""A connector on the ingest fixture, and a poster that signs fixture legs like the vendor."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from store.connectors import Connector
from tests.webhook_ingest.connectors.signing import ROWS, SIGNED_ROWS, Row, Signed
from webhook_ingest.connectors import REGISTRY


@dataclass
class Hook:
    ingest: object
    row: Row
    connector: Connector

    @property
    def path(self) -> str:
        return f"/v1/hooks/{self.row.vendor}/{self.connector.id}"

    async def post(self, leg: dict, options: dict[str, str] | None = None, headers=None):
        client = self.ingest.client
        signed0 = self.row.sign(leg, options or self.row.options, "")
        path = self.path + (f"/{signed0.sub_path}" if signed0.sub_path else "")
        signed: Signed = self.row.sign(leg, options or self.row.options, str(client.make_url(path)))
        headers = {**signed.headers, **(headers or {})}
        if signed.body is not None:
            headers.setdefault("Content-Type", "application/json")
            return await client.post(path, data=signed.body, headers=headers)
        if signed.json_body is not None:
            return await client.post(path, json=signed.json_body, headers=headers)
        return await client.post(path, data=signed.form, headers=headers)


async def _hook(ingest, row: Row) -> Hook:
    vendor = REGISTRY[row.vendor]
    connector = await ingest.store.connectors.add(
        ingest.tenant.id, row.vendor, row.options, secret_names=vendor.secrets
    )
    return Hook(ingest, row, connector)


@pytest.fixture(params=ROWS, ids=[r.vendor for r in ROWS])
async def hook(request, ingest) -> Hook:
    """Every vendor."""
    return await _hook(ingest, request.param)


@pytest.fixture(params=SIGNED_ROWS, ids=[r.vendor for r in SIGNED_ROWS])
async def signed_hook(request, ingest) -> Hook:
    """The vendors that sign their requests (or send a token)."""
    return await _hook(ingest, request.param)
