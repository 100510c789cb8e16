"""Reading typed settings from environment variables."""

import os

from django.core.exceptions import ImproperlyConfigured


class MissingSetting(ImproperlyConfigured):
    """A required environment variable is unset or empty. The console script and the
    server print its message as one line and stop."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_required(name: str, hint: str = "") -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingSetting(f"the environment variable {name} must be set{hint}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        raise MissingSetting(f"the environment variable {name} must be one of "
                             f"{', '.join(choices)}, not {value!r}")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
