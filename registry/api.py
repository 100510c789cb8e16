"""REST endpoints for registry (thin: validate, check permission, call a service or selector)."""

from ninja import Router

router = Router(tags=["registry"])
