"""Demo assessments of the qualitative targets by the coordinator, so that every target
has a status on the demo data. Illustrative text; idempotent (one per target and year)."""

from __future__ import annotations

from typing import Any

from accounts.models import Role, User
from plans.models import Target, TargetKind
from plans.selectors import plan_current
from progress.models import Assessment
from progress.services import assessment_record

ASSESSMENTS = {
    "curriculum-2025": ("achieved", "Minh họa: Sở Giáo dục và Đào tạo đã lồng ghép nội dung "
                        "sản xuất và tiêu dùng bền vững vào hoạt động ngoại khóa ở các cấp học "
                        "(báo cáo năm 2025)."),
    "policy-enforcement-2030": ("on_track", "Minh họa: các văn bản hướng dẫn đã ban hành; "
                                "kiểm tra năm 2025 không phát hiện vi phạm lớn."),
    "models-replication-2030": ("at_risk", "Minh họa: mới nhân rộng được một phần mô hình sản "
                                "xuất sạch hơn; cần bố trí thêm kinh phí."),
}
YEAR = 2025


def demo_load(*, actor: Any) -> None:
    plan = plan_current()
    coordinator = User.objects.filter(role=Role.COORDINATOR).order_by("pk").first()
    if plan is None or coordinator is None:
        return
    for target in Target.objects.filter(plan=plan, kind=TargetKind.QUALITATIVE,
                                        code__in=ASSESSMENTS):
        if Assessment.objects.filter(target=target, year=YEAR).exists():
            continue
        status, text = ASSESSMENTS[target.code]
        assessment_record(target=target, year=YEAR, status=status, justification=text,
                          actor=coordinator)
