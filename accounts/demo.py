"""Demo users: one per role, and a reporter for every unit that reports today."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_upsert
from orgunits.models import OrgUnit
from plans.selectors import plan_current, plan_obligations_on

DEMO_PASSWORD = "demo1234"


def demo_load(*, actor: User | None) -> list[User]:
    """Create (or refresh) the demo users; returns them, administrators first."""
    hashed = make_password(DEMO_PASSWORD)  # once: hashing is slow on purpose
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["sct", "ubnd-quang-ninh"])}
    users = [
        user_upsert(username="admin", role=Role.ADMIN, actor=actor, full_name="Quản trị hệ thống",
                    email="admin@example.invalid", password_hash=hashed)[0],
        user_upsert(username="dieuphoi", role=Role.COORDINATOR, actor=actor,
                    org_unit=units.get("sct"), full_name="Nguyễn Thị Điều Phối",
                    email="dieuphoi@example.invalid", password_hash=hashed)[0],
        user_upsert(username="ubnd", role=Role.VIEWER, actor=actor,
                    org_unit=units.get("ubnd-quang-ninh"), full_name="Trần Văn Theo Dõi",
                    email="ubnd@example.invalid", password_hash=hashed)[0],
    ]
    plan = plan_current()
    if plan is not None:
        for unit in plan_obligations_on(plan=plan, day=timezone.localdate()):
            users.append(user_upsert(
                username=f"bc-{unit.code}", role=Role.REPORTER, actor=actor, org_unit=unit,
                full_name=f"Cán bộ {unit.name}", email=f"bc-{unit.code}@example.invalid",
                password_hash=hashed,
            )[0])
    return users
