"""The catalogue of job kinds: each app registers the functions it runs in the background
(in its AppConfig.ready), so the queue knows nothing of imports or registries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What a finished run reports: a sentence for the page and a JSON-able result."""

    message: str
    result: dict[str, Any] = field(default_factory=dict)


class JobFailed(Exception):
    """A run that refused its input: `message` (in the owner's language) says why and
    `result` may list the problems, e.g. `{"problems": [{sheet, row, column, message}],
    "more": "..."}`. The run must have stored nothing."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result or {}


# run(*, content, params, actor, on_progress) -> Outcome, raising JobFailed
Runner = Callable[..., Outcome]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Any  # lazy text
    run: Runner


KINDS: dict[str, JobKind] = {}


def job_kind_register(*, name: str, label: Any, run: Runner) -> None:
    KINDS[name] = JobKind(name=name, label=label, run=run)
