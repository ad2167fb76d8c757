"""The catalogue of Bot API failures the emulator answers with, word for word."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API failure answered as {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON envelope Telegram sends for this failure."""
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad_request(detail: str) -> ApiError:
    """A 400 whose description starts with "Bad Request: "."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 whose description starts with "Forbidden: "."""
    return ApiError(403, f"Forbidden: {detail}")


def unauthorized() -> ApiError:
    """Unknown or revoked token."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """Malformed token, unknown method or unknown path."""
    return ApiError(404, "Not Found")


def too_many_requests(retry_after: int) -> ApiError:
    """Flood control; the caller must wait retry_after seconds."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def internal_error() -> ApiError:
    """The JSON 500 Telegram answers when its backend fails."""
    return ApiError(500, "Internal Server Error")


def chat_migrated(new_chat_id: int) -> ApiError:
    """A basic group that became a supergroup."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


CHAT_NOT_FOUND = "chat not found"
MESSAGE_TOO_LONG = "message is too long"
TEXT_EMPTY = "message text is empty"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "message to edit not found"
DELETE_NOT_FOUND = "message to delete not found"
CANT_EDIT = "message can't be edited"
CANT_DELETE = "message can't be deleted"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
BLOCKED = "bot was blocked by the user"
DEACTIVATED = "user is deactivated"
CANT_INITIATE = "bot can't initiate conversation with a user"
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
