"""REST endpoints for the plan (read-only)."""

from ninja import Router

router = Router(tags=["plan"])
