"""A query compiled once (common.compiled) returns what its queryset returns, with each
call's own values, related objects loaded and columns converted, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from common.compiled import Compiled
from orgunits.models import OrgUnit, Succession


def _successions(predecessor: int):
    return (Succession.objects.select_related("predecessor", "successor__parent")
            .filter(predecessor_id=predecessor).order_by("pk"))


SUCCESSIONS = Compiled(_successions, predecessor=int)
UNIT = Compiled(lambda code: OrgUnit.objects.filter(code=code), code=str)


def _same(a, b) -> bool:
    return all(getattr(a, f.attname) == getattr(b, f.attname)
               for f in type(a)._meta.concrete_fields)


@pytest.mark.django_db
def test_rows_as_the_queryset_returns_them_with_each_call_s_values(plan):
    busiest = sorted({s.predecessor_id for s in Succession.objects.all()},
                     key=lambda pk: -Succession.objects.filter(predecessor_id=pk).count())
    assert len(busiest) >= 2, "the reference data holds the 2025 successions"
    for predecessor in busiest[:3] + busiest[:1]:  # a value again after others
        expected = list(_successions(predecessor))
        with CaptureQueriesContext(connection) as queries:
            got = SUCCESSIONS.rows(predecessor=predecessor)
            # the related objects came with the row: no query to read them
            names = [(s.predecessor.name, s.successor.name,
                      s.successor.parent.name if s.successor.parent else None) for s in got]
        assert len(queries) == 1
        assert [s.pk for s in got] == [s.pk for s in expected] and got
        for mine, theirs in zip(got, expected, strict=True):
            assert _same(mine, theirs) and _same(mine.successor, theirs.successor)
            assert not mine._state.adding and mine._state.db == "default"
        assert names == [(s.predecessor.name, s.successor.name,
                          s.successor.parent.name if s.successor.parent else None)
                         for s in expected]


@pytest.mark.django_db
def test_columns_come_back_as_python_values(plan):
    unit = UNIT.one(code="sct")
    stored = OrgUnit.objects.get(code="sct")
    assert unit is not None and unit.pk == stored.pk
    assert type(unit.valid_from) is type(stored.valid_from)  # a date, not text (SQLite)
    assert unit.created_at == stored.created_at and unit.created_at.tzinfo is not None
    assert unit.uncertain is False
    assert UNIT.one(code="no-such-unit") is None


@pytest.mark.django_db
@pytest.mark.parametrize("values", [{"code": "sct\x00"}, {"code": "\x00compiled:code\x00"}])
def test_text_no_column_can_hold_matches_nothing_without_a_query(plan, values,
                                                                 django_assert_num_queries):
    with django_assert_num_queries(0):
        assert UNIT.rows(**values) == []


@pytest.mark.django_db
def test_an_integer_out_of_range_matches_nothing(plan, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert SUCCESSIONS.rows(predecessor=2**70) == []


@pytest.mark.django_db
def test_wrong_names_or_types_are_refused(plan):
    with pytest.raises(TypeError):
        UNIT.rows(code=5)
    with pytest.raises(TypeError):
        SUCCESSIONS.rows(predecessor="5")
    with pytest.raises(TypeError):
        UNIT.rows(name="sct")
    with pytest.raises(TypeError):
        Compiled(lambda when: OrgUnit.objects.filter(valid_from=when), when=object)


@pytest.mark.django_db
@pytest.mark.parametrize("build", [
    lambda code: OrgUnit.objects.filter(code__icontains=code),  # a pattern, not the value
    lambda code: OrgUnit.objects.filter(code="sct"),  # the value never used
    lambda code: OrgUnit.objects.filter(Q(code=code) | Q(name__icontains=code)),  # both
])
def test_a_value_the_orm_transforms_or_drops_is_refused_when_compiled(plan, build):
    with pytest.raises(ValueError, match="code"):
        Compiled(build, code=str).rows(code="sct")
