"""Charts of progress, drawn with matplotlib (Agg, no display, no JavaScript): SVG for the
pages, PNG for Word documents. `chart_spec` says what a chart shows and `chart_render`
draws it; the pages and the consolidated report both call the two. Numbers on the axes use
the decimal comma."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import matplotlib
from django.utils.translation import gettext as _

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator

if TYPE_CHECKING:
    from plans.models import Plan

matplotlib.rcParams["svg.hashsalt"] = "scp-monitor"  # the same chart gives the same SVG
matplotlib.rcParams["font.family"] = "DejaVu Sans"  # shipped with matplotlib; has Vietnamese


@dataclass
class ChartSpec:
    """What to draw: the accepted series, the target band at the milestone year, the
    baseline and the projection from the latest value."""

    title: str
    series: Sequence[tuple[int, float]]
    band: tuple[int, float, float] | None = None  # (year, low, high)
    baseline: tuple[int, float] | None = None
    projection: Sequence[tuple[int, float]] = field(default_factory=list)
    reference: float | None = None  # a horizontal line, e.g. 100 for an index
    years: tuple[int, int] | None = None  # the x axis, e.g. (2020, 2030)
    labels: dict[str, str] = field(default_factory=dict)  # legend texts, translated


def _comma(value: float, _pos: int) -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def chart_render(spec: ChartSpec, *, fmt: str = "svg") -> bytes:
    """The chart as SVG or PNG bytes."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=150 if fmt == "png" else 72)
    try:
        if spec.band is not None:
            year, low, high = spec.band
            ax.errorbar([year], [(low + high) / 2], yerr=[[(high - low) / 2 or 0.0001],
                                                          [(high - low) / 2 or 0.0001]],
                        fmt="s", color="#2e7d32", capsize=6, markersize=5,
                        label=spec.labels.get("band", "target"))
        if spec.reference is not None:
            ax.axhline(spec.reference, color="#9e9e9e", linewidth=0.8)
        if spec.series:
            xs, ys = zip(*spec.series, strict=True)
            ax.plot(xs, ys, marker="o", color="#1565c0", linewidth=2,
                    label=spec.labels.get("series", "accepted data"))
        if spec.projection:
            xs, ys = zip(*spec.projection, strict=True)
            ax.plot(xs, ys, linestyle="--", color="#ef6c00", marker=".",
                    label=spec.labels.get("projection", "projection"))
        if spec.baseline is not None:
            ax.plot([spec.baseline[0]], [spec.baseline[1]], marker="D", color="#424242",
                    linestyle="none", label=spec.labels.get("baseline", "baseline"))
        ax.set_title(spec.title, fontsize=11, loc="left")
        if spec.years is not None:
            ax.set_xlim(spec.years[0] - 0.5, spec.years[1] + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_comma))
        ax.grid(True, axis="y", color="#e0e0e0")
        ax.spines[["top", "right"]].set_visible(False)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="best", frameon=False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        return out.getvalue()
    finally:
        plt.close(fig)


def chart_spec(*, plan: Plan, kind: str, code: str, period: int) -> ChartSpec | None:
    """What the chart of a target (`kind` "target", `code` its code), a sector ("sector",
    its code) or the province index ("province") shows for the year `period`, from
    accepted data; None when no such target or sector exists."""
    from plans.models import Target
    from progress.selectors import BASE_YEAR, sector_indices, target_progress

    labels = {"series": _("Accepted data"), "band": _("Target"),
              "projection": _("Projection"), "baseline": _("Baseline")}
    if kind == "target":
        target = Target.objects.filter(plan=plan, code=code).select_related(
            "milestone").first()
        if target is None:
            return None
        s = target_progress(target=target, period=period)
        series = [(p.year, p.value) for p in s.series if p.value is not None
                  and p.year <= period]
        band = None
        if s.minimum is not None:
            high = s.stretch if s.stretch is not None else s.minimum
            band = (s.milestone_year, s.minimum, high)
        projection = ([(s.current.year, s.current.value), *sorted(s.projections.items())]
                      if s.current and s.current.value is not None and s.projections else [])
        projection = [(y, v) for y, v in projection if y >= (s.current.year if s.current else 0)]
        baseline = (s.baseline.year, s.baseline.value) if s.baseline and \
            s.baseline.value is not None else None
        return ChartSpec(s.target.ref, series, band, baseline,  # type: ignore[arg-type]
                         projection, labels=labels, years=(BASE_YEAR, plan.end_year))
    if kind not in ("sector", "province"):
        return None
    result = sector_indices(plan=plan, last_year=period, detail=False)  # the index alone
    if kind == "province":
        index = result.province
        title = _("Province")
    else:
        found = next((s for s in result.sectors if s.sector.code == code), None)
        if found is None:
            return None
        index, title = found.result.index, found.sector.name
    return ChartSpec(title, [(y, v) for y, v in index.items() if v is not None],
                     reference=100.0, years=(BASE_YEAR, plan.end_year),
                     labels={**labels, "series": _("Index (2020 = 100)")})
