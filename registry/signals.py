"""Signals the registry sends for readers that keep derived data (the progress summary)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

# Sent inside the transaction of a service that wrote an enterprise's consumption lines,
# after the writes, with `enterprise_ids`. Deleting a record sends nothing: what was derived
# from it is deleted with it (on_delete=CASCADE).
figures_changed = Signal()

_batch = threading.local()


def figures_changed_send(*, enterprise_ids: Iterable[int]) -> None:
    """Send `figures_changed`, or, inside `figures_batch`, note the enterprises for its end."""
    pending: set[int] | None = getattr(_batch, "pending", None)
    if pending is not None:
        pending.update(enterprise_ids)
        return
    from registry.models import ConsumptionRecord

    figures_changed.send(sender=ConsumptionRecord, enterprise_ids=sorted(set(enterprise_ids)))


@contextmanager
def figures_batch() -> Iterator[None]:
    """One `figures_changed` for every enterprise written inside, sent at the end and still
    inside the caller's transaction: a bulk load (the demo) derives once, not per record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("figures_batch must run inside a transaction")
    if getattr(_batch, "pending", None) is not None:
        yield
        return
    _batch.pending = set()
    try:
        yield
        ids = _batch.pending
    finally:
        _batch.pending = None
    if ids:
        figures_changed_send(enterprise_ids=ids)
