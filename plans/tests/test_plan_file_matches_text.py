"""Plan 141's plan file against the plan's own text.

The text (/work/shared/plan/141-KH-UBND-2020.txt) is parsed by its headings; every bullet
of II.2.1, II.2.2, III and IV (and the paragraphs that stand alone) must be in the YAML
word for word, under the right reference, in the right block, led by the unit the block's
heading names. No database is needed: the YAML is read with PyYAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

PLAN_FILE_NAME = "141-KH-UBND-2020"

# Heading of a block of section IV (case-folded) -> the lead the YAML must give it.
LEAD_BY_HEADING = {
    "sở công thương": ["sct"],
    "sở tài nguyên và môi trường": ["stnmt"],
    "sở kế hoạch và đầu tư": ["skhdt"],
    "sở giáo dục và đào tạo": ["sgddt"],
    "sở nông nghiệp và phát triển nông thôn": ["snnptnt"],
    "sở xây dựng": ["sxd"],
    "sở thông tin và truyền thông": ["stttt"],
    "sở lao động - thương binh và xã hội": ["sldtbxh"],
    "sở giao thông vận tải": ["sgtvt"],
    "sở khoa học và công nghệ": ["skhcn"],
    "sở văn hóa và thể thao": ["svhtt"],
    "sở du lịch": ["sdl"],
    "sở ngoại vụ": ["sngv"],
    "ngân hàng nhà nước chi nhánh quảng ninh": ["nhnn-qn"],
    "sở tài chính": ["stc"],
    "các sở, ban, ngành; ubnd các huyện, thị xã, thành phố": [
        "group:departments",
        "group:district_level",
    ],
}

# Org units and groups a plan may name (the province's own units, see data/orgunits).
KNOWN_UNITS = {code for codes in LEAD_BY_HEADING.values() for code in codes} | {
    "ubnd-quang-ninh",
    "bo-cong-thuong",
}

TARGET_COUNTS = (6, 6)
TASK_GROUP_ITEM_COUNTS = (0, 5, 8, 7)  # III.1 is one paragraph
TASK_COUNTS = (6, 4, 2, 1, 4, 4, 1, 1, 3, 4, 1, 1, 2, 2, 1, 3)
VALUE_TYPES = {"integer", "decimal", "percent", "money", "boolean", "text", "choice"}
RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")


def norm(text: str) -> str:
    """Collapse whitespace (non-breaking spaces included)."""
    return " ".join(str(text).replace("\xa0", " ").split())


def base_dir() -> Path:
    try:
        from django.conf import settings

        return Path(settings.BASE_DIR)
    except Exception:  # settings not configured (run with -p no:django)
        return Path(__file__).resolve().parents[2]


def plan_text_path() -> Path:
    return base_dir().parent / "shared" / "plan" / f"{PLAN_FILE_NAME}.txt"


def plan_yaml_path() -> Path:
    return base_dir() / "data" / "plans" / f"{PLAN_FILE_NAME}.yaml"


# ---- the plan text -------------------------------------------------------------------


@dataclass
class Numbered:
    """A numbered heading ("3. Sở Kế hoạch và Đầu tư") and what follows it."""

    number: int
    heading: str
    bullets: list[str] = field(default_factory=list)  # "- " lines, without the dash
    paragraphs: list[str] = field(default_factory=list)  # other lines


@dataclass
class PlanText:
    viewpoints: list[str]
    general_objective: str
    targets_2025: list[str]
    targets_2030: list[str]
    task_groups: list[Numbered]
    task_blocks: list[Numbered]
    reporting: str


def _numbered(lines: list[str]) -> list[Numbered]:
    out: list[Numbered] = []
    for line in lines:
        m = re.match(r"^(\d+)\. (.+)$", line)
        if m:
            out.append(Numbered(int(m.group(1)), m.group(2)))
        elif line.startswith("- "):
            out[-1].bullets.append(line[2:])
        else:
            out[-1].paragraphs.append(line)
    return out


def parse_plan_text(path: Path) -> PlanText:
    lines = [norm(line) for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    lines = lines[: lines.index("Nơi nhận:")]
    starts = {}
    for i, line in enumerate(lines):
        m = re.match(r"^(I|II|III|IV|V)\. [A-ZÀ-Ỹ]", line)
        if m:
            starts[m.group(1)] = i
    romans = ["I", "II", "III", "IV", "V"]
    assert list(starts) == romans, f"section headings found: {list(starts)}"
    section = {}
    for k, roman in enumerate(romans):
        end = starts[romans[k + 1]] if k + 1 < len(romans) else len(lines)
        section[roman] = lines[starts[roman] + 1 : end]

    viewpoints = _numbered(section["I"])
    assert all(not v.bullets and not v.paragraphs for v in viewpoints)

    ii = section["II"]
    i_general = ii.index("1. Mục tiêu tổng quát")
    i_specific = ii.index("2. Mục tiêu cụ thể")
    i_2025 = next(i for i, line in enumerate(ii) if line.startswith("2.1. "))
    i_2030 = next(i for i, line in enumerate(ii) if line.startswith("2.2. "))
    assert i_general < i_specific < i_2025 < i_2030
    general = ii[i_general + 1 : i_specific]
    assert len(general) == 1

    def bullets(chunk: list[str]) -> list[str]:
        assert all(line.startswith("- ") for line in chunk), chunk
        return [line[2:] for line in chunk]

    return PlanText(
        viewpoints=[v.heading for v in viewpoints],
        general_objective=general[0],
        targets_2025=bullets(ii[i_2025 + 1 : i_2030]),
        targets_2030=bullets(ii[i_2030 + 1 :]),
        task_groups=_numbered(section["III"]),
        task_blocks=_numbered(section["IV"]),
        reporting=" ".join(section["V"]),
    )


# ---- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def text() -> PlanText:
    path = plan_text_path()
    if not path.exists():
        pytest.skip(f"the plan text {path} is not available on this machine")
    return parse_plan_text(path)


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    with plan_yaml_path().open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict)
    return data


def all_tasks(plan: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(block, task) for block in plan["task_blocks"] for task in block["tasks"]]


def all_questions(plan: dict[str, Any]) -> list[dict[str, Any]]:
    questions = [q for _, task in all_tasks(plan) for q in task.get("questions") or []]
    return questions + list(plan.get("questions") or [])


# ---- the text's structure is what the plan file assumes ----------------------------------


def test_plan_text_has_the_expected_shape(text: PlanText) -> None:
    assert len(text.viewpoints) == 3
    assert (len(text.targets_2025), len(text.targets_2030)) == TARGET_COUNTS
    assert [g.number for g in text.task_groups] == [1, 2, 3, 4]
    assert tuple(len(g.bullets) for g in text.task_groups) == TASK_GROUP_ITEM_COUNTS
    assert [b.number for b in text.task_blocks] == list(range(1, 17))
    counts = tuple(len(b.bullets) or len(b.paragraphs) for b in text.task_blocks)
    assert counts == TASK_COUNTS
    assert sum(counts) == 40
    for block in text.task_blocks:
        # a block is either bullets or one paragraph, never both
        assert not (block.bullets and block.paragraphs), block.heading
        assert len(block.paragraphs) <= 1, block.heading


# ---- header, I, II.1, V -------------------------------------------------------------


def test_header(plan: dict[str, Any]) -> None:
    header = plan["plan"]
    assert header["code"] == "141/KH-UBND"
    assert header["slug"] == "qn-141-2020"
    assert str(header["issued_on"]) == "2020-08-06"
    assert "889/QĐ-TTg" in header["implements"] and "24/6/2020" in header["implements"]
    assert (header["start_year"], header["end_year"]) == (2021, 2030)
    assert header["lead_agency"] == "sct"
    assert header["signed_by"] == "Bùi Văn Khắng"
    assert header["title"].startswith("KẾ HOẠCH")


def test_viewpoints_and_general_objective(plan: dict[str, Any], text: PlanText) -> None:
    got = [(v["ref"], norm(v["text"])) for v in plan["viewpoints"]]
    want = [(f"I.{i}", t) for i, t in enumerate(text.viewpoints, 1)]
    assert got == want
    assert plan["general_objective"]["ref"] == "II.1"
    assert norm(plan["general_objective"]["text"]) == text.general_objective


def test_reporting(plan: dict[str, Any], text: PlanText) -> None:
    reporting = plan["reporting"]
    assert norm(reporting["text"]) == text.reporting
    assert reporting["recipient"] == "sct"
    assert reporting["consolidated_to"] == ["ubnd-quang-ninh", "bo-cong-thuong"]
    rules = {r["kind"]: r for r in reporting["rules"]}
    assert set(rules) == {"semiannual", "annual", "adhoc"}
    # "định kỳ 6 tháng (trước ngày 15/6), hàng năm (trước ngày 15/12)"
    assert "trước ngày 15/6" in text.reporting and "trước ngày 15/12" in text.reporting
    assert rules["semiannual"]["due_before"] == "06-15"
    assert rules["annual"]["due_before"] == "12-15"
    assert (rules["semiannual"]["cutoff_from"], rules["semiannual"]["cutoff_to"]) == (
        "12-15",
        "06-14",
    )
    assert (rules["annual"]["cutoff_from"], rules["annual"]["cutoff_to"]) == ("12-15", "12-14")


# ---- II.2 targets --------------------------------------------------------------------


def test_milestones(plan: dict[str, Any]) -> None:
    got = [(m["code"], m["ref"], m["start_year"], m["end_year"]) for m in plan["milestones"]]
    assert got == [("2025", "II.2.1", 2021, 2025), ("2030", "II.2.2", 2021, 2030)]


def test_every_target_bullet_is_in_the_file(plan: dict[str, Any], text: PlanText) -> None:
    want = [(f"II.2.1.{i}", "2025", t) for i, t in enumerate(text.targets_2025, 1)] + [
        (f"II.2.2.{i}", "2030", t) for i, t in enumerate(text.targets_2030, 1)
    ]
    got = [(t["ref"], str(t["milestone"]), norm(t["text"])) for t in plan["targets"]
           if t["ref"].startswith("II.2.")]
    missing = [w for w in want if w not in got]
    extra = [g for g in got if g not in want]
    assert not missing and not extra, f"missing: {missing}\nnot in the text: {extra}"
    assert got == want, "targets are out of the text's order"


def _range(value: Any) -> tuple[Decimal, Decimal]:
    if isinstance(value, int | float):
        return Decimal(str(value)), Decimal(str(value))
    m = RANGE.match(str(value))
    assert m, f"value {value!r} is neither a number nor 'min-max'"
    low, high = Decimal(m.group(1)), Decimal(m.group(2))
    assert low <= high, f"value {value!r}: min above max"
    return low, high


def test_targets_outside_ii2_are_the_plan_s_own_words(plan: dict[str, Any]) -> None:
    """A numbered aim stated in a task (IV.10.1: 20 S&T enterprises by 2030) is a target
    whose text is taken from that task, word for word."""
    tasks = {t["ref"]: t for block in plan["task_blocks"] for t in block["tasks"]}
    others = [t for t in plan["targets"] if not t["ref"].startswith("II.2.")]
    assert [t["ref"] for t in others] == ["IV.10.1"]
    for target in others:
        said = norm(tasks[target["ref"]]["text"]).casefold()
        assert norm(target["text"]).rstrip(".").casefold() in said
    [st] = others
    assert (st["milestone"], st["value"], st["indicator"]) == ("2030", 20, "st-enterprises")
    served = [q["code"] for q in plan["questions"] if "st-enterprises-2030" in q.get("targets", [])]
    assert served == ["st-enterprises-certified"]


def test_targets_are_well_formed(plan: dict[str, Any]) -> None:
    codes = [t["code"] for t in plan["targets"]]
    assert len(codes) == len(set(codes))
    sectors = {s["code"] for s in plan["sectors"]}
    milestones = {str(m["code"]) for m in plan["milestones"]}
    for t in plan["targets"]:
        assert str(t["milestone"]) in milestones, t["ref"]
        assert t.get("title_en"), t["ref"]
        assert set(t.get("sectors") or []) <= sectors, t["ref"]
        if t["kind"] == "quantitative":
            assert t["direction"] in {"increase", "decrease", "maintain"}, t["ref"]
            assert t.get("unit"), t["ref"]
            low, high = _range(t["value"])
            # the number the text itself states is the one in the file
            if low == high:
                shown = f"{low}%" if t["unit"] == "percent" else f"{low} {t['unit']}"
                assert shown in t["text"], t["ref"]
        else:
            assert t["kind"] == "qualitative", t["ref"]
            assert not {"value", "unit", "direction"} & set(t), t["ref"]


def test_target_values_as_the_text_gives_them(plan: dict[str, Any]) -> None:
    by_ref = {t["ref"]: t for t in plan["targets"]}
    expected = {
        "II.2.1.1": ("5-8", "percent", "decrease"),
        "II.2.1.2": (70, "percent", "increase"),
        "II.2.1.3": ("1-2", "mô hình", "increase"),
        "II.2.1.4": (80, "percent", "increase"),
        "II.2.1.5": (85, "percent", "increase"),
        "II.2.1.6": None,
        "II.2.2.1": None,
        "II.2.2.2": ("7-10", "percent", "decrease"),
        "II.2.2.3": (100, "percent", "increase"),
        "II.2.2.4": None,
        "II.2.2.5": (100, "percent", "increase"),
        "II.2.2.6": (100, "percent", "increase"),
        "IV.10.1": (20, "doanh nghiệp", "increase"),
    }
    assert [t["ref"] for t in plan["targets"]] == [*expected]
    for ref, want in expected.items():
        t = by_ref[ref]
        if want is None:
            assert t["kind"] == "qualitative", ref
        else:
            assert t["kind"] == "quantitative", ref
            assert _range(t["value"]) == _range(want[0]), ref
            assert (t["unit"], t["direction"]) == want[1:], ref
    for ref in ("II.2.1.1", "II.2.2.2"):
        assert by_ref[ref]["baseline_year"] == 2020
        assert len(by_ref[ref]["sectors"]) == 8


# ---- III task groups ------------------------------------------------------------------


def test_every_task_group_bullet_is_in_the_file(plan: dict[str, Any], text: PlanText) -> None:
    groups = plan["task_groups"]
    assert [g["ref"] for g in groups] == [f"III.{g.number}" for g in text.task_groups]
    for yaml_group, text_group in zip(groups, text.task_groups, strict=True):
        ref = yaml_group["ref"]
        items = yaml_group.get("items") or []
        if not text_group.bullets:
            # III.1: the numbered line is itself the paragraph
            assert norm(yaml_group.get("text", "")) == text_group.heading, ref
            assert not items, f"{ref} is one paragraph and has no items"
            assert text_group.heading.startswith(norm(yaml_group["title"])), ref
            continue
        assert norm(yaml_group["title"]) == text_group.heading, ref
        want = [(f"{ref}.{i}", t) for i, t in enumerate(text_group.bullets, 1)]
        got = [(item["ref"], norm(item["text"])) for item in items]
        missing = [w for w in want if w not in got]
        extra = [g for g in got if g not in want]
        assert not missing and not extra, f"{ref}: missing {missing}\nnot in the text: {extra}"
        assert got == want, f"{ref}: items out of order"


# ---- IV task blocks -------------------------------------------------------------------


def test_every_task_is_in_its_block(plan: dict[str, Any], text: PlanText) -> None:
    blocks = plan["task_blocks"]
    assert [b["ref"] for b in blocks] == [f"IV.{b.number}" for b in text.task_blocks]
    for yaml_block, text_block in zip(blocks, text.task_blocks, strict=True):
        ref = yaml_block["ref"]
        assert norm(yaml_block["title"]).casefold() == text_block.heading.casefold(), ref
        paragraphs = text_block.bullets or text_block.paragraphs
        want = [(f"{ref}.{i}", t) for i, t in enumerate(paragraphs, 1)]
        got = [(task["ref"], norm(task["text"])) for task in yaml_block["tasks"]]
        missing = [w for w in want if w not in got]
        extra = [g for g in got if g not in want]
        assert not missing and not extra, f"{ref}: missing {missing}\nnot in the text: {extra}"
        assert got == want, f"{ref}: tasks out of order"
    assert tuple(len(b["tasks"]) for b in blocks) == TASK_COUNTS
    assert len(all_tasks(plan)) == 40


def test_every_block_is_led_by_the_unit_its_heading_names(
    plan: dict[str, Any], text: PlanText
) -> None:
    for yaml_block, text_block in zip(plan["task_blocks"], text.task_blocks, strict=True):
        heading = text_block.heading.casefold()
        assert heading in LEAD_BY_HEADING, f"no unit known for heading {text_block.heading!r}"
        want = LEAD_BY_HEADING[heading]
        assert sorted(yaml_block["lead"]) == sorted(want), yaml_block["ref"]
        for task in yaml_block["tasks"]:
            lead = task.get("lead", yaml_block["lead"])
            assert sorted(lead) == sorted(want), f"{task['ref']} is led by {lead}, not {want}"


def test_coordination_follows_the_text(plan: dict[str, Any]) -> None:
    for _, task in all_tasks(plan):
        coordinate = task.get("coordinate") or []
        ref, body = task["ref"], norm(task["text"])
        assert set(coordinate) <= KNOWN_UNITS, f"{ref}: unknown unit in {coordinate}"
        assert len(coordinate) == len(set(coordinate)), ref
        if "phối hợp với các sở, ban, ngành" in body:
            assert "group:departments" in coordinate, ref
        if "phối hợp với các sở, ban, ngành, UBND các huyện, thị xã, thành phố" in body:
            assert "group:district_level" in coordinate, ref
        if "phối hợp với Sở Công Thương" in body:
            assert "sct" in coordinate, ref
        if not re.search(r"phối hợp", body, re.IGNORECASE):
            assert not coordinate, f"{ref} coordinates {coordinate} but the text names no one"


def test_every_task_has_title_recurrence_and_questions(plan: dict[str, Any]) -> None:
    for _, task in all_tasks(plan):
        ref = task["ref"]
        assert norm(task.get("title_en", "")), f"{ref} has no title_en"
        assert task.get("recurrence") in {"recurring", "one_off"}, ref
        questions = task.get("questions") or []
        assert 1 <= len(questions) <= 4, f"{ref} has {len(questions)} questions"
        prefix = ref.lower().replace(".", "-") + "-"
        for q in questions:
            assert q["code"].startswith(prefix), f"{q['code']} is not prefixed {prefix}"
            assert not {"unit_kinds", "unit_codes"} & set(q), q["code"]
    by_ref = {task["ref"]: task for _, task in all_tasks(plan)}
    assert by_ref["IV.10.1"]["recurrence"] == "one_off"


def test_questions_are_well_formed(plan: dict[str, Any]) -> None:
    questions = all_questions(plan)
    codes = [q["code"] for q in questions]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert not duplicates, f"question codes used twice: {duplicates}"
    by_code = {q["code"]: q for q in questions}
    target_codes = {t["code"] for t in plan["targets"]}
    for q in questions:
        code = q["code"]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert q.get("name") and q.get("name_en"), code
        assert q["value_type"] in VALUE_TYPES, code
        if q["value_type"] in {"integer", "money", "decimal"}:
            assert q.get("min") == 0, f"{code}: counts and amounts start at 0"
            assert q.get("unit"), code
        if q["value_type"] == "money":
            assert q["unit"] == "đồng", code
        if q.get("part_of"):
            whole = by_code.get(q["part_of"])
            assert whole is not None, f"{code}: part_of {q['part_of']} does not exist"
            assert whole["value_type"] == q["value_type"], code
            assert whole is not q, code
        assert set(q.get("targets") or []) <= target_codes, code


def test_unit_owned_questions_cover_the_targets(plan: dict[str, Any]) -> None:
    questions = {q["code"]: q for q in plan["questions"]}
    for q in questions.values():
        assert q.get("unit_kinds") or q.get("unit_codes"), f"{q['code']} is asked of no one"
        assert set(q.get("unit_codes") or []) <= KNOWN_UNITS, q["code"]
    served = {t for q in questions.values() for t in q.get("targets") or []}
    quantitative = {t["code"] for t in plan["targets"] if t["kind"] == "quantitative"}
    # every quantitative target except the consumption ones (enterprise figures) has data
    assert quantitative - served == {"material-intensity-2025", "material-intensity-2030"}
    local = {"city", "town", "district", "ward", "commune", "special_zone"}
    assert set(questions["lifestyle-campaigns"]["unit_kinds"]) == local
    assert questions["lifestyle-campaigns"]["required"] is True
    assert questions["supermarkets-eco-packaging"]["part_of"] == "supermarkets-total"
    assert questions["zones-reached"]["part_of"] == "zones-total"
    assert questions["st-enterprises-certified"]["unit_codes"] == ["skhcn"]
