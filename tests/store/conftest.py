"""The store contract holds on every backend: fakeredis, one Redis, a Cluster and Sentinel."""

import pytest

ALL_BACKENDS = ["fakeredis", "real-redis", "cluster", "sentinel"]


@pytest.fixture(params=ALL_BACKENDS)
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param
