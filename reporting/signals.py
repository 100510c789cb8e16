"""Signals the reporting cycle sends for readers that keep derived data (the progress
index's sector totals): which records count follows the reports' states."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction of a service that opened reports or changed a report's state
# (a queryset update sends no post_save), with `report_ids`.
reports_changed = Signal()
