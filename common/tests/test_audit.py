"""History lines as people read them: labels for actions and fields, names for codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from common.audit import ACTION_LABELS, action_label, value_shown

pytestmark = pytest.mark.django_db


def test_every_recorded_action_has_a_label():
    import pathlib
    import re

    from django.conf import settings

    root = pathlib.Path(settings.BASE_DIR)
    found: set[str] = set()
    for path in root.glob("*/services.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'"([a-z_]+\.[a-z_]+)" if ', text))
        found |= set(re.findall(r'else "([a-z_]+\.[a-z_]+)"', text))
    assert found and found <= set(ACTION_LABELS)


def test_unknown_action_shows_no_code():
    with translation.override("vi"):
        assert action_label("area.create") == "Thêm khu, cụm công nghiệp hoặc làng nghề"
        assert action_label("something.new") == "Thay đổi"


def test_values_for_people():
    with translation.override("vi"):
        assert value_shown(True) == "Có" and value_shown(False) == "Không"
        assert value_shown("2025-07-01") == "01/07/2025"
        assert value_shown("10567.4") == "10.567,4"
        assert value_shown(None) is None and value_shown("") is None
