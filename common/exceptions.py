"""Exceptions services raise; views and the API turn them into messages and 4xx answers."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

# The code of a ValidationError message refusing a well-formed request because of what
# is stored now (a code that names nothing stored, a value another entry holds, a period
# outside the loaded plan, a report not in a state that allows it, a day still to come):
# views show it as any other message; the API answers 409 to a write and 404 to a read,
# and keeps 422 for input that is wrong whatever is stored. Django's own "unique" checks
# are refusals of the same kind.
STATE = "state"
_STATE_CODES = frozenset({STATE, "unique", "unique_together"})


class ConflictError(Exception):
    """A write based on a stale version: someone else saved first."""

    def __init__(self, message: str, *, current: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.current = current


def state_error(message: Any) -> ValidationError:
    """One message refusing input because of the stored data (see STATE); put it in a
    field's list of errors as any message."""
    return ValidationError(message, code=STATE)


def state_errors(errors: dict[str, list[Any]]) -> ValidationError:
    """A ValidationError whose every message (by field) refuses because of the stored
    data."""
    return ValidationError({key: [m if isinstance(m, ValidationError) else state_error(m)
                                  for m in messages] for key, messages in errors.items()})


def refused_by_state(exc: ValidationError) -> bool:
    """Whether every message of `exc` refuses because of the stored data, so that the
    request itself, sent again when the data allow it, would be accepted."""
    if hasattr(exc, "error_dict"):
        messages = [e for errs in exc.error_dict.values() for e in errs]
    else:
        messages = exc.error_list
    return bool(messages) and all(e.code in _STATE_CODES for e in messages)


__all__ = ["STATE", "ConflictError", "PermissionDenied", "ValidationError", "refused_by_state",
           "state_error", "state_errors"]
