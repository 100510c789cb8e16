"""The one reader of the DHIS2 mapping file (`data/exchange/dhis2-mapping.yaml`): DHIS2
identifiers of data sets, organisation units and data elements, to and from this system's
codes. An identifier without an entry is taken as this system's own code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

DEFAULT_COMBO_NAMES = frozenset({"", "default"})


@dataclass(frozen=True)
class Dhis2Mapping:
    data_sets: dict[str, str]
    org_units: dict[str, str]
    data_elements: dict[str, str]
    default_combo: str

    def local(self, kind: str, identifier: str) -> str:
        """This system's code for a DHIS2 identifier (the identifier itself if unmapped)."""
        return getattr(self, kind).get(identifier, identifier)

    def remote(self, kind: str, code: str) -> str:
        """The DHIS2 identifier written for one of this system's codes."""
        return _reverse(self, kind).get(code, code)

    def is_default_combo(self, identifier: Any) -> bool:
        return identifier is None or identifier in DEFAULT_COMBO_NAMES or (
            identifier == self.default_combo)


@lru_cache(maxsize=16)
def _reverse_cached(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {code: uid for uid, code in items}


def _reverse(mapping: Dhis2Mapping, kind: str) -> dict[str, str]:
    return _reverse_cached(tuple(sorted(getattr(mapping, kind).items())))


def _file() -> Path:
    return Path(getattr(settings, "SCP_DHIS2_MAPPING_FILE",
                        settings.DATA_DIR / "exchange" / "dhis2-mapping.yaml"))


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> Dhis2Mapping:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle) or {}

    def section(name: str) -> dict[str, str]:
        return {str(k): str(v) for k, v in (data.get(name) or {}).items()}

    return Dhis2Mapping(section("data_sets"), section("org_units"), section("data_elements"),
                        str(data.get("default_category_option_combo") or "HllvX50cXC0"))


def dhis2_mapping() -> Dhis2Mapping:
    path = _file()
    return _read(str(path), path.stat().st_mtime)
