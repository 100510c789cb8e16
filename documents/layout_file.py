"""The one reader of `data/documents/<plan>.yaml`: how the lead agency writes its
consolidated report (place, superior body, subject, recipients, signature) and which main
task group of section III each specific task of section IV serves (format:
docs/documents.md)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings


@dataclass(frozen=True)
class DocumentSettings:
    plan: str
    place: str
    issuing_unit: str
    superior_body: str
    subject: str
    addressee: str
    recipients: tuple[str, ...]
    archive: str
    authority: str
    position: str
    signatory: str
    task_groups: dict[str, tuple[str, ...]]

    def group_of(self, task_ref: str) -> str:
        """The III.n group a task serves ("" when the file does not place it)."""
        for group, refs in self.task_groups.items():
            if task_ref in refs:
                return group
        return ""


def _file() -> Path:
    return Path(getattr(settings, "SCP_DOCUMENTS_FILE",
                        settings.DATA_DIR / "documents" / "141-KH-UBND-2020.yaml"))


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> DocumentSettings:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle) or {}
    signature = data.get("signature") or {}
    groups = {str(k): tuple(str(r) for r in v or [])
              for k, v in (data.get("task_groups") or {}).items()}
    return DocumentSettings(
        plan=str(data.get("plan", "")), place=str(data.get("place", "")),
        issuing_unit=str(data.get("issuing_unit", "")),
        superior_body=str(data.get("superior_body", "")),
        subject=str(data.get("subject", "")), addressee=str(data.get("addressee", "") or ""),
        recipients=tuple(str(r) for r in data.get("recipients") or []),
        archive=str(data.get("archive", "")),
        authority=str(signature.get("authority", "")),
        position=str(signature.get("position", "")),
        signatory=str(signature.get("name", "") or ""),
        task_groups=groups,
    )


def document_settings() -> DocumentSettings:
    """The settings of the current file (read again when the file changes)."""
    path = _file()
    return _read(str(path), path.stat().st_mtime)
