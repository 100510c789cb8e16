"""Progress test helpers: the registry's (unit table loaded, enterprises made through the
services)."""

from registry.tests.conftest import make_enterprise, units_loaded

__all__ = ["make_enterprise", "units_loaded"]
