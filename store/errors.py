"""Typed failures of the store; callers map each to a user-facing text."""


class StoreError(Exception):
    """Base of every failure the store reports on purpose."""


class NotFound(StoreError):
    """The tenant, group, subscriber or bot does not exist (or belongs to another tenant)."""


class InvalidInput(StoreError):
    """A value was refused before anything was written."""


class DisabledByAdmin(StoreError):
    """An admin switched this subscription off; only an admin may switch it on again."""


class TokenTaken(StoreError):
    """This bot token is already registered, by this tenant or another."""


class SchemaTooNew(StoreError):
    """The database was written by a newer Perezvon than this one."""


class SecretKeyMismatch(StoreError):
    """This process's SECRET_KEY is not the one the stored secrets were sealed with."""


class NotReplicated(StoreError):
    """Written on the primary, but no replica acknowledged it in time: not yet safe from a
    failover, so not to be reported as accepted (the caller retries; the write is idempotent)."""
