"""An entry's history in Vietnamese: action and field labels, names instead of codes,
dd/mm/yyyy dates, Có/Không."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_registry_history_shows_labels_and_names(client, coordinator, make_area):
    from registry.services import area_save

    area = make_area("Cụm công nghiệp Đông Hải", kind="industrial_cluster", place="tx-quang-yen",
                     opened=dt.date(2015, 1, 1), actor=coordinator)
    area_save(entry=area, data={"illustrative": True, "valid_to": dt.date(2025, 7, 1)},
              actor=coordinator)
    client.force_login(coordinator)
    html = client.get(f"/registry/areas/{area.pk}/").content.decode()
    for raw in ("area.create", "area.update", "illustrative:", "False", "True", "tx-quang-yen",
                "industrial_cluster", "2025-07-01"):
        assert raw not in html, raw
    assert "Thêm khu, cụm công nghiệp hoặc làng nghề" in html
    assert "Không → Có" in html
    assert "01/07/2025" in html
    assert "Quảng Yên" in html


def test_figures_history_shows_item_names_and_units(client, coordinator, make_enterprise,
                                                     units_loaded):
    from registry.services import consumption_record_save

    enterprise = make_enterprise()
    consumption_record_save(enterprise=enterprise, year=2024, period="year",
                            lines=[("coal", "10567,4", "t"), ("electricity", "52000000", "kWh")],
                            actor=coordinator)
    client.force_login(coordinator)
    html = client.get(f"/registry/enterprises/{enterprise.pk}/").content.decode()
    assert "figures.create" not in html and "electricity:" not in html
    assert "Nhập số liệu" in html and "Năm 2024" in html
