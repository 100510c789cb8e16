"""The pure methods: the worked example of docs/progress-method.md recomputed by hand, the
properties an index of efficiency must have, and the status rules."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from progress import methods
from progress.methods import Observation as Ob

# The worked example of docs/progress-method.md: two products, 2020-2022.
EXAMPLE = [Ob(2020, "A", 100, 200), Ob(2020, "B", 50, 50),
           Ob(2021, "A", 110, 209), Ob(2021, "B", 60, 57),
           Ob(2022, "A", 120, 216), Ob(2022, "B", 40, 36)]


def _logmean(a: float, b: float) -> float:
    return (a - b) / (math.log(a) - math.log(b))


def test_worked_example_odex_by_hand():
    result = methods.odex(EXAMPLE)
    # 2021: A 209/110 = 1.9 t/t against 2.0 -> 0.95; B 57/60 = 0.95 against 1.0 -> 0.95.
    assert result.index[2021] == pytest.approx(95.0)
    # 2022: A 1.8/1.9, B 0.9/0.95: both 0.947368..., weights whatever -> 95 x 0.947368 = 90.
    assert result.index[2022] == pytest.approx(90.0)
    assert result.notes == []


def test_worked_example_odex_weights_by_hand():
    # A link where the products differ: A falls 10%, B rises 10%; weights are the mean of
    # the two years' consumption shares: A (200/250 + 180/235)/2, B (50/250 + 55/235)/2.
    data = [Ob(2020, "A", 100, 200), Ob(2020, "B", 50, 50),
            Ob(2021, "A", 100, 180), Ob(2021, "B", 50, 55)]
    w_a = (200 / 250 + 180 / 235) / 2
    w_b = (50 / 250 + 55 / 235) / 2
    assert methods.odex(data).index[2021] == pytest.approx(100 * (w_a * 0.9 + w_b * 1.1))


def test_worked_example_lmdi_by_hand():
    d = methods.lmdi(EXAMPLE)
    assert d is not None and (d.start, d.end) == (2020, 2022)
    w_a, w_b = _logmean(216, 200), _logmean(36, 50)
    activity = (w_a + w_b) * math.log(160 / 150)
    structure = w_a * math.log((120 / 160) / (100 / 150)) + w_b * math.log((40 / 160) / (50 / 150))
    intensity = w_a * math.log(1.8 / 2.0) + w_b * math.log(0.9 / 1.0)
    assert d.additive["activity"] == pytest.approx(activity)
    assert d.additive["structure"] == pytest.approx(structure)
    assert d.additive["intensity"] == pytest.approx(intensity)
    assert d.additive["total"] == pytest.approx(252 - 250)
    assert sum(d.additive[k] for k in ("activity", "structure", "intensity")) == \
        pytest.approx(2.0)
    total_w = _logmean(252, 250)
    assert d.multiplicative["intensity"] == pytest.approx(math.exp(intensity / total_w))
    product = math.prod(d.multiplicative[k] for k in ("activity", "structure", "intensity"))
    assert product == pytest.approx(252 / 250)


def test_index_report_matches_the_documented_output():
    report = methods.index_report(EXAMPLE)
    assert report["odex"] == {"2020": 100.0, "2021": 95.0, "2022": 90.0}
    assert report["lmdi"]["additive"]["total"] == 2.0
    assert report["lmdi"]["multiplicative"]["total"] == 1.008


# ------------------------------------------------------------------ properties

series = st.lists(
    st.tuples(st.sampled_from(["e1", "e2", "e3"]), st.sampled_from(["p1", "p2", "p3"]),
              st.floats(1, 1e6), st.floats(0.01, 10), st.floats(0.5, 1.5), st.floats(0.5, 2)),
    min_size=1, max_size=9, unique_by=lambda t: (t[0], t[1]))


def _two_years(rows):
    """(unit, product, output, intensity, intensity change, output change) -> 2020, 2021."""
    out = []
    for unit, product, output, intensity, change, growth in rows:
        out.append(Ob(2020, product, output, output * intensity, unit))
        out.append(Ob(2021, product, output * growth, output * growth * intensity * change,
                      unit))
    return out


@settings(max_examples=60, deadline=None)
@given(series, st.floats(0.001, 1000), st.floats(0.001, 1000))
def test_scaling_outputs_and_consumptions_leaves_the_index(rows, k_out, k_cons):
    data = _two_years(rows)
    scaled = [Ob(o.year, o.product, o.output * k_out, o.consumption * k_cons, o.unit)
              for o in data]
    assert methods.odex(scaled).index[2021] == pytest.approx(methods.odex(data).index[2021])


@settings(max_examples=60, deadline=None)
@given(series, st.randoms(use_true_random=False))
def test_input_order_changes_nothing(rows, rnd):
    data = _two_years(rows)
    shuffled = list(data)
    rnd.shuffle(shuffled)
    assert methods.odex(shuffled).index == methods.odex(data).index
    a, b = methods.lmdi(data), methods.lmdi(shuffled)
    assert a is not None and b is not None
    for key in a.additive:
        assert b.additive[key] == pytest.approx(a.additive[key])


@settings(max_examples=60, deadline=None)
@given(series)
def test_a_pure_mix_shift_gives_no_gain(rows):
    # every series keeps its intensity; outputs move in any proportions
    data = _two_years([(u, p, o, i, 1.0, g) for u, p, o, i, _c, g in rows])
    assert methods.odex(data).index[2021] == pytest.approx(100.0)
    d = methods.lmdi(data)
    assert d is not None
    assert d.additive["intensity"] == pytest.approx(0.0, abs=1e-6 * max(1.0, d.additive["total"]))


@settings(max_examples=60, deadline=None)
@given(series, st.floats(1, 1e6), st.floats(0.001, 0.1))
def test_entrants_and_leavers_do_not_move_the_index(rows, output, intensity):
    data = _two_years(rows)
    base = methods.odex(data).index[2021]
    # a very efficient entrant in 2021 and a wasteful leaver after 2020
    more = [*data, Ob(2021, "p1", output, output * intensity, "new"),
            Ob(2020, "p2", output, output * 100, "gone")]
    assert methods.odex(more).index[2021] == pytest.approx(base)


def test_a_product_with_zero_output_is_left_out_with_a_note():
    data = [Ob(2020, "A", 100, 200), Ob(2020, "B", 0, 0),
            Ob(2021, "A", 100, 190), Ob(2021, "B", 10, 99)]
    result = methods.odex(data)
    assert result.index[2021] == pytest.approx(95.0)
    assert any("B" in n and "zero output" in n for n in result.notes)


def test_no_base_year_data_gives_no_index():
    result = methods.odex([Ob(2021, "A", 1, 1), Ob(2022, "A", 1, 1)], base_year=2020)
    assert result.index == {} and result.base_year is None


def test_a_missing_link_stops_the_chain_instead_of_inventing_one():
    data = [Ob(2020, "A", 1, 1), Ob(2021, "B", 1, 1), Ob(2022, "B", 1, 0.5)]
    result = methods.odex(data)
    assert result.index == {2020: 100.0, 2021: None, 2022: None}


def test_groups_are_averaged_with_equal_weights():
    data = [Ob(2020, "A", 1, 10, group="energy"), Ob(2020, "A", 1, 5, group="clay"),
            Ob(2021, "A", 1, 9, group="energy"), Ob(2021, "A", 1, 5.5, group="clay")]
    assert methods.odex(data).index[2021] == pytest.approx(100 * (0.9 + 1.1) / 2)


def test_weighted_links_and_chain():
    links = methods.weighted_links([({2021: 0.9}, {2021: 3.0}), ({2021: 1.0}, {2021: 1.0}),
                                    ({2021: None}, {2021: 5.0})], [2021, 2022])
    assert links[2021] == pytest.approx((0.9 * 3 + 1.0) / 4)
    assert links[2022] is None
    assert methods.chain(links, 2020, 2022) == {2020: 100.0, 2021: pytest.approx(92.5),
                                                2022: None}


# ------------------------------------------------------------------ status


def status(**kw):
    args = {"baseline": (2020, 40.0), "current": (2023, 56.0), "target": 70.0,
            "target_year": 2025, "direction": "increase", "past": False}
    args.update(kw)
    return methods.target_status(**args)


def test_status_ratio_by_hand_compound():
    s = status()
    observed = (56 / 40) ** (1 / 3) - 1
    required = (70 / 40) ** (1 / 5) - 1
    assert s.method == "cagr"
    assert s.ratio == pytest.approx(observed / required)
    assert s.share_covered == pytest.approx(16 / 30)
    assert s.projections[2025] == pytest.approx(56 * (1 + observed) ** 2)
    assert s.status == methods.ON_TRACK  # ratio 1.002


@pytest.mark.parametrize(("current", "expected"), [
    (70.0, methods.ACHIEVED), (52.0, methods.AT_RISK), (43.0, methods.OFF_TRACK),
    (35.0, methods.OFF_TRACK)])
def test_status_thresholds(current, expected):
    assert status(current=(2023, current)).status == expected


def test_status_linear_from_a_zero_baseline():
    s = status(baseline=(2020, 0.0), current=(2022, 20.0), target=100.0, target_year=2030)
    assert s.method == "linear"
    assert s.ratio == pytest.approx(10 / 10)
    assert s.projections[2030] == pytest.approx(100.0)


def test_status_decrease_and_past_milestone():
    s = status(baseline=(2020, 100.0), current=(2025, 97.0), target=95.0, direction="decrease",
               past=True)
    assert s.status == methods.NOT_ACHIEVED
    assert status(baseline=(2020, 100.0), current=(2025, 94.0), target=95.0,
                  direction="decrease", past=True).status == methods.ACHIEVED


def test_status_without_data():
    assert status(current=None).status == methods.NOT_ENOUGH_DATA
    assert status(baseline=(2023, 56.0)).status == methods.NOT_ENOUGH_DATA


def test_projection_is_clamped_to_bounds():
    s = status(baseline=(2020, 0.0), current=(2021, 60.0), target=100.0, target_year=2030,
               bounds=(0.0, 100.0))
    assert s.projections[2030] == 100.0
