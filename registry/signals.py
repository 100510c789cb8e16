"""Signals the registry sends for readers that keep derived data (the progress summary)."""

from django.dispatch import Signal

# Sent inside the transaction of a service that wrote an enterprise's consumption lines,
# after the writes, with `enterprise_ids`. Deleting a record sends nothing: what was derived
# from it is deleted with it (on_delete=CASCADE).
figures_changed = Signal()
