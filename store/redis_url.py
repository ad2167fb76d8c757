"""REDIS_URL: one server, a Sentinel-watched primary or a Redis Cluster, told apart by scheme."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qsl, unquote, urlsplit

from redis.asyncio.connection import parse_url

SINGLE_SCHEMES = ("redis", "rediss", "unix")
SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
SCHEMES = (*SINGLE_SCHEMES, *SENTINEL_SCHEMES, *CLUSTER_SCHEMES)
DEFAULT_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379
# Query parameters a Sentinel URL may carry: the sentinels' own credentials.
SENTINEL_PARAMS = ("sentinel_username", "sentinel_password")


class InvalidRedisUrl(ValueError):
    """REDIS_URL cannot be used; the message never repeats a password."""


class Topology(StrEnum):
    SINGLE = "single"
    SENTINEL = "sentinel"
    CLUSTER = "cluster"


@dataclass(frozen=True, slots=True)
class RedisTarget:
    """What a REDIS_URL points at; `url` is the original text (for one server, redis-py's own)."""

    topology: Topology
    url: str = field(repr=False)
    nodes: tuple[tuple[str, int], ...] = ()
    service: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    sentinel_username: str | None = None
    sentinel_password: str | None = field(default=None, repr=False)


def parse(url: str) -> RedisTarget:
    """The target of `url`, or InvalidRedisUrl saying what to fix."""
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise InvalidRedisUrl("must start with " + ", ".join(f"{s}://" for s in SCHEMES))
    scheme = scheme.lower()
    if scheme in SINGLE_SCHEMES:
        return _single(url, scheme)
    parts = urlsplit(url)
    tls = scheme.startswith("rediss")
    username, password, hosts = _userinfo(parts.netloc)
    if scheme in SENTINEL_SCHEMES:
        return _sentinel(url, parts.path, parts.query, hosts, username, password, tls)
    if parts.path.strip("/"):
        raise InvalidRedisUrl("a Redis Cluster has one database: no path after the hosts")
    if parts.query:
        raise InvalidRedisUrl("a redis+cluster:// URL takes no query parameters")
    nodes = _hosts(hosts, DEFAULT_PORT)
    return RedisTarget(Topology.CLUSTER, url, nodes, None, 0, username, password, tls)


def _single(url: str, scheme: str) -> RedisTarget:
    parts = urlsplit(url)
    if scheme == "unix":
        if not parts.path:
            raise InvalidRedisUrl(
                "a unix:// URL needs the socket path, e.g. unix:///run/redis.sock"
            )
    else:
        _, _, hosts = _userinfo(parts.netloc)
        if "," in hosts:
            raise InvalidRedisUrl(
                "several hosts need redis+sentinel:// or redis+cluster://, not redis://"
            )
        _hosts(hosts or "localhost", DEFAULT_PORT)
    try:
        parse_url(url)
    except (ValueError, TypeError) as exc:
        # redis-py's own message may quote the URL, password included: keep only its gist.
        raise InvalidRedisUrl(str(exc).split(":")[0] or "not a valid Redis URL") from None
    return RedisTarget(Topology.SINGLE, url, tls=scheme == "rediss")


def _userinfo(netloc: str) -> tuple[str | None, str | None, str]:
    creds, at, hosts = netloc.rpartition("@")
    if not at:
        return None, None, netloc
    user, colon, password = creds.partition(":")
    return (unquote(user) or None), (unquote(password) if colon else None), hosts


def _hosts(text: str, default_port: int) -> tuple[tuple[str, int], ...]:
    if not text:
        raise InvalidRedisUrl("name at least one host:port")
    nodes = []
    for item in text.split(","):
        host, port = _host_port(item.strip(), default_port)
        nodes.append((host, port))
    return tuple(nodes)


def _host_port(item: str, default_port: int) -> tuple[str, int]:
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = item.partition(":")
    if not host:
        raise InvalidRedisUrl(f"empty host in {item!r}")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidRedisUrl(f"bad port in {item!r}")
    return host, int(port_text)


def _sentinel(
    url: str,
    path: str,
    query: str,
    hosts: str,
    username: str | None,
    password: str | None,
    tls: bool,
) -> RedisTarget:
    segments = [unquote(s) for s in path.split("/") if s]
    if not segments or len(segments) > 2:
        raise InvalidRedisUrl(
            "a Sentinel URL names the service: redis+sentinel://host:port[,host:port]/SERVICE[/DB]"
        )
    db = 0
    if len(segments) == 2:
        if not segments[1].isdigit():
            raise InvalidRedisUrl(f"the database must be a number, not {segments[1]!r}")
        db = int(segments[1])
    params = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(params) - set(SENTINEL_PARAMS))
    if unknown:
        raise InvalidRedisUrl(
            f"unknown parameter {unknown[0]!r}; a Sentinel URL takes only "
            + ", ".join(SENTINEL_PARAMS)
        )
    return RedisTarget(
        Topology.SENTINEL,
        url,
        _hosts(hosts, DEFAULT_SENTINEL_PORT),
        segments[0],
        db,
        username,
        password,
        tls,
        params.get("sentinel_username") or None,
        params.get("sentinel_password") or None,
    )
