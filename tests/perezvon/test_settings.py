"""Settings: defaults, one clear line per mistake, and the generated SECRET_KEY."""

import logging

import pytest

from perezvon.settings import ConfigError, load, secret_key

ENV_NAMES = [
    "REDIS_URL", "DATA_DIR", "BOT_TOKEN", "TELEGRAM_API_URL", "INGEST_HOST", "INGEST_PORT",
    "PUBLIC_URL", "SECRET_KEY", "LOG_LEVEL", "DEFAULT_LANG", "DEFAULT_TZ", "REDIS_APPENDFSYNC",
]  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_follow_the_spec():
    s = load(None)
    assert s.redis_url is None and str(s.data_dir) == "data"
    assert s.telegram_api == "https://api.telegram.org"
    assert (s.ingest_host, s.ingest_port) == ("127.0.0.1", 8080)
    assert (s.default_lang, s.default_tz, s.log_level) == ("ru", "Europe/Moscow", "INFO")
    assert s.redis_appendfsync == "always" and s.public_url is None and s.bot_token is None


@pytest.mark.parametrize(
    "name,value,fragment",
    [
        ("INGEST_PORT", "eighty", "INGEST_PORT: "),
        ("INGEST_PORT", "70000", "INGEST_PORT: "),
        ("DEFAULT_TZ", "Mars/Olympus", "DEFAULT_TZ: unknown time zone 'Mars/Olympus'"),
        ("REDIS_URL", "http://localhost", "REDIS_URL: must start with redis://"),
        ("REDIS_URL", "redis+sentinel://:pw-9@s1:26379", "REDIS_URL: a Sentinel URL names the"),
        ("REDIS_URL", "redis+cluster://:pw-9@n1:7000/3", "REDIS_URL: a Redis Cluster has one"),
        ("REDIS_URL", "redis://:pw-9@h:port/0", "REDIS_URL: bad port"),
        ("REDIS_MAX_CONNECTIONS", "0", "REDIS_MAX_CONNECTIONS: "),
        ("INGEST_BODY_TIMEOUT", "-1", "INGEST_BODY_TIMEOUT: "),
        ("DEFAULT_LANG", "de", "DEFAULT_LANG: "),
        ("SECRET_KEY", "short", "SECRET_KEY: must be at least 16 characters"),
        ("TELEGRAM_API_URL", "not a url", "TELEGRAM_API_URL: "),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: "),
        ("BOT_TOKEN", "garbage", "BOT_TOKEN: does not look like a bot token"),
        ("BOT_TOKEN", "123456:tooshort", "BOT_TOKEN: does not look like a bot token"),
    ],
)
def test_each_mistake_is_one_line_naming_the_variable(monkeypatch, name, value, fragment):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load(None)
    message = str(err.value)
    assert message.startswith(fragment) and "\n" not in message
    assert "pw-9" not in message


def test_every_redis_url_form_is_taken():
    for url in (
        "redis://127.0.0.1:6379/0",
        "unix:///run/redis.sock?db=2",
        "redis+sentinel://u:p@s1:26379,s2/perezvon/1?sentinel_password=x",
        "redis+cluster://n1:7000,n2:7001",
    ):
        assert load(None, redis_url=url).redis_url == url


def test_env_file_is_read_and_environment_wins(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("INGEST_PORT=9001\nDEFAULT_LANG=en\n")
    monkeypatch.setenv("DEFAULT_LANG", "ru")
    s = load(env)
    assert s.ingest_port == 9001 and s.default_lang == "ru"


def test_secret_key_is_generated_once_with_a_warning(tmp_path, caplog):
    s = load(None, data_dir=tmp_path / "d")
    with caplog.at_level(logging.WARNING):
        first = secret_key(s)
    assert "SECRET_KEY is not set" in caplog.text and first not in caplog.text
    assert len(first) >= 32
    assert (tmp_path / "d" / "secret_key").stat().st_mode & 0o777 == 0o600
    caplog.clear()
    assert secret_key(s) == first and not caplog.text


def test_explicit_secret_key_is_used(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 20)
    assert secret_key(load(None)) == "x" * 20


def test_an_empty_bot_token_means_the_sandbox(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "  ")
    assert load(None).bot_token is None
    token = "123456789:" + "A" * 35
    monkeypatch.setenv("BOT_TOKEN", f" {token} ")
    assert load(None).bot_token.get_secret_value() == token


def test_a_malformed_bot_token_is_never_echoed(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "my-secret-garbage")
    with pytest.raises(ConfigError) as err:
        load(None)
    assert "my-secret-garbage" not in str(err.value)
