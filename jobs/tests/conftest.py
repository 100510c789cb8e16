"""Job test helpers: a kind registered for the test, whose run the test chooses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jobs.kinds import KINDS, Outcome, job_kind_register


@pytest.fixture
def test_kind() -> Iterator[Callable[[Callable[..., Outcome]], str]]:
    """test_kind(run) registers `run` as the kind "test.run" and returns its name."""

    def register(run: Callable[..., Outcome]) -> str:
        job_kind_register(name="test.run", label="Thử", run=run)
        return "test.run"

    yield register
    KINDS.pop("test.run", None)


def echo(*, content: bytes, params: dict[str, Any], actor: Any, on_progress: Any) -> Outcome:
    on_progress(1, 2)
    return Outcome(f"xong {content.decode()}", {"n": len(content)})
