"""Exceptions services raise; views and the API turn them into messages and 4xx answers."""

from django.core.exceptions import PermissionDenied, ValidationError


class ConflictError(Exception):
    """A write based on a stale version: someone else saved first."""

    def __init__(self, message: str, *, current: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.current = current


__all__ = ["ConflictError", "PermissionDenied", "ValidationError"]
