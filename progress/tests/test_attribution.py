"""The worked example of docs/progress-method.md, section 3 ("Inputs per product"),
entered through the real services and recomputed by hand: inputs entered for a product
are that product's; the rest follow the rule the record keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from plans.models import Sector
from progress import methods
from progress.selectors import sector_indices
from registry import services
from registry.tests.conftest import tax_code, unit

pytestmark = pytest.mark.django_db

# (year, clinker t, cement t, limestone for clinker t, gypsum shared t)
EXAMPLE = [(2020, 1000, 1000, 1300, 50), (2021, 1000, 1500, 1235, 60)]


def _cement_index(plan, allocation):
    services.units_load(path=settings.SCP_UNITS_FILE, actor=None)
    plant = services.enterprise_save(data={
        "tax_code": tax_code(4321), "name": "Công ty CP Xi măng Ví Dụ",
        "sector": Sector.objects.get(plan=plan, code="cement"), "place": unit("tp-ha-long"),
        "valid_from": dt.date(2005, 1, 1)}, actor=None)
    for year, clinker, cement, limestone, gypsum in EXAMPLE:
        services.consumption_record_save(
            enterprise=plant, year=year, actor=None, allocation=allocation,
            lines=[("clinker", clinker, "t"), ("cement", cement, "t"),
                   ("limestone", limestone, "t", "clinker"), ("gypsum", gypsum, "t")])
    result = sector_indices(plan=plan, last_year=2021)
    return next(s for s in result.sectors if s.sector.code == "cement")


def test_shared_by_output(plan):
    cement = _cement_index(plan, "output")
    # limestone, all for clinker: 1300/1000 -> 1235/1000, link 0,95
    # gypsum by output: 2020 halves (25 t each, 0,025 t/t), 2021 40/60 % (24 t for 1000 t
    # of clinker, 36 t for 1500 t of cement: 0,024 t/t each), link 0,96 for both products
    assert cement.result.links[2021].groups == pytest.approx({"limestone": 0.95,
                                                              "gypsum": 0.96})
    # the sector's link: the plain mean of its groups' links
    assert cement.result.index[2021] == pytest.approx(100 * (0.95 + 0.96) / 2)


def test_all_to_the_principal_product(plan):
    cement = _cement_index(plan, "principal")
    # gypsum all to clinker: 50/1000 -> 60/1000, link 1,2: the rule the record keeps
    # changes the result, which is why it is recorded and shown
    assert cement.result.links[2021].groups == pytest.approx({"limestone": 0.95,
                                                              "gypsum": 1.2})
    assert cement.result.index[2021] == pytest.approx(100 * (0.95 + 1.2) / 2)


def test_attribute_by_hand():
    shared = {"gypsum": 60.0}
    per_product = {"clinker": {"limestone": 1235.0}}
    outputs = {"clinker": 1000.0, "cement": 1500.0}
    by_output, fallback = methods.attribute(outputs=outputs, shared=shared,
                                            per_product=per_product, rule="output",
                                            principal="clinker")
    assert by_output == {"clinker": {"gypsum": 24.0, "limestone": 1235.0},
                         "cement": {"gypsum": 36.0}} and not fallback
    to_principal, _ = methods.attribute(outputs=outputs, shared=shared,
                                        per_product=per_product, rule="principal",
                                        principal="clinker")
    assert to_principal == {"clinker": {"gypsum": 60.0, "limestone": 1235.0}}
    # a principal product the record lacks: shared by output, and said so
    assert methods.attribute(outputs={"cement": 1.0, "beer": 1.0}, shared=shared,
                             per_product={}, rule="principal", principal="clinker") == (
        {"cement": {"gypsum": 30.0}, "beer": {"gypsum": 30.0}}, True)
