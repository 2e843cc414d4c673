"""One root error type; every error carries a message a user can act on."""

from __future__ import annotations


class StudioError(Exception):
    """Base of all errors the studio shows to a user.

    `message` says what went wrong, `hint` says what to do next.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def to_dict(self) -> dict[str, str]:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint}


class DatasetError(StudioError):
    """A dataset cannot be read or is not a conversation dataset."""


class HubUnreachableError(StudioError):
    """The Hugging Face hub cannot be reached from this machine."""


class ModelError(StudioError):
    """A model cannot be found, loaded or converted."""


class ValidationError(StudioError):
    """Input (parameters, compute choice) is refused; `reasons` lists every problem.

    `details` carries figures a script may want (e.g. the compute check's memory estimate).
    """

    exit_code = 1  # the command line's "refused" (services/cli/exit_codes.py)

    def __init__(
        self,
        message: str,
        hint: str = "",
        reasons: list[str] | None = None,
        details: dict | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.reasons = reasons or [message]
        self.details = details or {}

    def to_dict(self) -> dict:
        result: dict = {**super().to_dict(), "reasons": list(self.reasons)}
        if self.details:
            result["details"] = self.details
        return result


class JobError(StudioError):
    """A job cannot be submitted, found or cancelled."""


class EndpointError(StudioError):
    """An endpoint cannot be deployed, reached or deleted, or it answered with an error."""


class AzureError(StudioError):
    """An Azure ML call failed: connection, authorization or a missing resource."""


class UnsupportedError(StudioError):
    """The backend in use does not offer this operation (see Backend.capabilities)."""


class NotAllowedError(StudioError):
    """The signed-in person's role may not do this (services/security/roles.py)."""

    exit_code = 1  # refused, as a ValidationError: the request was understood and declined
