"""Vietnamese comes first: every app's catalogue is complete, not fuzzy, and compiled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("*/locale/vi/LC_MESSAGES/django.po"))


def test_every_app_with_strings_has_a_catalogue():
    apps = {p.parts[-5] for p in CATALOGUES}
    assert {"web", "plans", "orgunits", "reporting", "registry", "api", "accounts", "common",
            "config"} <= apps


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"untranslated in {po_path}: {missing[:10]}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy[:10]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_compiled_catalogue_is_current(po_path, tmp_path):
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (gettext) is not installed; scripts/test installs it")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po_path)], check=True)
    assert fresh.read_bytes() == po_path.with_suffix(".mo").read_bytes(), (
        f"{po_path.with_suffix('.mo')} is stale: run scripts/i18n {po_path.parts[-5]}"
    )
