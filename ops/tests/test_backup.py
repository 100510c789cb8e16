"""Backup and restore: a round trip SQLite -> PostgreSQL -> SQLite (or the other way, on
the PostgreSQL run) gives back every table's rows; a non-empty database is refused unless
forced; a damaged or truncated archive is refused and changes nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import ApiToken, Role, User
from accounts.services import token_create
from ops.backup import (
    BackupError,
    backup_compare,
    backup_read,
    backup_restore,
    backup_write,
    database_is_empty,
)
from ops.tests.helpers import SCP, database_drop, fresh_database, run, tables


@pytest.fixture
def some_data(make_user, plan):
    user = make_user(Role.REPORTER, "sct", username="bc-sao-luu")
    user.first_name = "Nguyễn Thị Ánh 🌊 <b>"
    user.save()
    token_create(user=user, name="kịch bản", actor=user)
    return user


def test_backup_lists_every_table_with_counts_and_checksums(tmp_path, some_data):
    manifest = backup_write(path=tmp_path / "a.zip")
    assert manifest["format"] == "scp-monitor-backup" and manifest["format_version"] == 1
    assert manifest["counts"]["accounts.user"] == User.objects.count()
    assert manifest["counts"]["orgunits.orgunit"] > 50
    assert "sessions.session" not in manifest["counts"]
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert sorted(archive.namelist()) == ["data.json", "manifest.json"]
    assert not (tmp_path / "a.zip.partial").exists()


def test_times_keep_their_microseconds(tmp_path, some_data):
    from common.models import AuditEvent

    AuditEvent.objects.update(occurred_at=AuditEvent.objects.first().occurred_at.replace(
        microsecond=450))
    backup_write(path=tmp_path / "a.zip")
    backup_restore(path=tmp_path / "a.zip", force=True)
    assert {e.occurred_at.microsecond for e in AuditEvent.objects.all()} == {450}
    backup_write(path=tmp_path / "b.zip")
    assert tables(tmp_path / "a.zip") == tables(tmp_path / "b.zip")


def test_restore_into_a_database_with_data_is_refused_unless_forced(tmp_path, some_data):
    backup_write(path=tmp_path / "a.zip")
    assert not database_is_empty()
    with pytest.raises(CommandError, match=r"không trống.*--force"):
        call_command("restore", str(tmp_path / "a.zip"))
    User.objects.filter(username="bc-sao-luu").delete()
    ApiToken.objects.all().delete()
    call_command("restore", str(tmp_path / "a.zip"), "--force")
    restored = User.objects.get(username="bc-sao-luu")
    assert restored.first_name == "Nguyễn Thị Ánh 🌊 <b>"
    assert ApiToken.objects.filter(user=restored, name="kịch bản").count() == 1
    backup_write(path=tmp_path / "b.zip")
    assert tables(tmp_path / "a.zip") == tables(tmp_path / "b.zip")


def test_compare_lists_every_table_and_finds_a_changed_field(tmp_path, some_data):
    archive = tmp_path / "a.zip"
    backup_write(path=archive)
    before = backup_compare(path=archive)
    assert [t.table for t in before] == sorted(backup_read(path=archive).manifest["counts"])
    assert all(t.matches for t in before)
    assert {t.table: t.database_rows for t in before}["accounts.user"] == User.objects.count()
    # one letter of one name: same counts, another checksum, in that table only
    User.objects.filter(username="bc-sao-luu").update(first_name="Nguyễn Thị Anh 🌊 <b>")
    after = {t.table: t for t in backup_compare(path=archive)}
    assert [label for label, t in after.items() if not t.matches] == ["accounts.user"]
    assert after["accounts.user"].archive_rows == after["accounts.user"].database_rows


def test_the_compare_command_prints_a_line_per_table_and_fails_on_a_difference(
        tmp_path, some_data):
    archive = tmp_path / "a.zip"
    backup_write(path=archive)
    out = io.StringIO()
    call_command("backup", str(archive), "--compare", stdout=out)
    lines = out.getvalue().splitlines()
    counts = backup_read(path=archive).manifest["counts"]
    assert lines[0].split() == ["bảng", "dòng", "trong", "bản", "sao", "lưu", "dòng", "trong",
                                "cơ", "sở", "dữ", "liệu", "tổng", "kiểm", "tra"]
    user_line = next(line for line in lines if line.startswith("accounts.user "))
    assert user_line.split() == ["accounts.user", str(counts["accounts.user"]),
                                 str(counts["accounts.user"]), "khớp"]
    assert len(lines) == len(counts) + 2
    assert lines[-1] == (f"{len(counts)} bảng, {sum(counts.values())} dòng trong bản sao lưu, "
                         f"{len(counts)} bảng khớp.")
    ApiToken.objects.all().delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"khác bản sao lưu ở 1 bảng: accounts\.apitoken\."):
        call_command("backup", str(archive), "--compare", stdout=out)
    token_line = next(line for line in out.getvalue().splitlines()
                      if line.startswith("accounts.apitoken "))
    assert token_line.split() == ["accounts.apitoken", "1", "0", "KHÁC"]


def _damage(path: Path, how: str) -> None:
    content = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(content[: len(content) // 2]))
    elif how == "flipped":
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("data.json")
        at = info.header_offset + 30 + len(info.filename) + 40
        content[at] ^= 0xFF
        path.write_bytes(bytes(content))
    elif how == "edited":
        with zipfile.ZipFile(path) as archive:
            members = {n: archive.read(n) for n in archive.namelist()}
        members["data.json"] = members["data.json"].replace(b"bc-sao-luu", b"bc-sao-lxx")
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    elif how == "not a zip":
        path.write_bytes(b"hello")


@pytest.mark.parametrize("how", ["truncated", "flipped", "edited", "not a zip"])
def test_a_damaged_archive_is_refused_and_changes_nothing(tmp_path, some_data, how):
    archive = tmp_path / "a.zip"
    backup_write(path=archive)
    _damage(archive, how)
    User.objects.filter(username="bc-sao-luu").update(first_name="sau")
    before = User.objects.count(), ApiToken.objects.count()
    refusal = r"bị hỏng|không phải là bản sao lưu"
    with pytest.raises(CommandError, match=refusal) as refused:
        call_command("restore", str(archive), "--force")
    assert "\n" not in str(refused.value)
    assert (User.objects.count(), ApiToken.objects.count()) == before
    assert User.objects.get(username="bc-sao-luu").first_name == "sau"


def test_an_archive_of_other_migrations_is_refused(tmp_path, some_data):
    archive = tmp_path / "a.zip"
    backup_write(path=archive)
    with zipfile.ZipFile(archive) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["migrations"].append("accounts.9999_future")
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(BackupError, match=r"accounts\.9999_future"):
        backup_restore(path=archive, force=True)


def _first_difference(*versions: list[dict]) -> object:
    for rows in zip(*versions, strict=False):
        if not rows[0] == rows[1] == rows[2]:
            return {key: [repr(r.get(key)) for r in rows] for key in rows[0]
                    if not rows[0].get(key) == rows[1].get(key) == rows[2].get(key)}
    return [len(v) for v in versions]


@pytest.mark.django_db(transaction=True)
def test_round_trip_to_the_other_engine_and_back_gives_every_table_back(tmp_path,
                                                                       reference_data):
    from accounts.services import user_upsert
    from orgunits.models import OrgUnit

    user = user_upsert(username="bc-khu-hoi", role=Role.REPORTER, actor=None,
                       org_unit=OrgUnit.objects.get(code="sct"), email="a@example.invalid",
                       full_name="Lê Văn Khứ Hồi", password="pw")[0]
    token_create(user=user, name="khứ hồi", actor=user)
    here = connection.vendor
    there = "postgresql" if here == "sqlite" else "sqlite"
    first, second, third = tmp_path / "1.zip", tmp_path / "2.zip", tmp_path / "3.zip"
    backup_write(path=first)

    away = fresh_database(tmp_path, there, "away")
    back = fresh_database(tmp_path, here, "back")
    try:
        for env, source, target in [(away, first, second), (back, second, third)]:
            restored = run([SCP, "restore", str(source)], env, timeout=600)
            assert restored.returncode == 0, restored.stderr
            compared = run([SCP, "backup", "--compare", str(first)], env, timeout=600)
            assert compared.returncode == 0, compared.stdout + compared.stderr
            verdicts = [line.split()[-1] for line in compared.stdout.splitlines()[1:-1]]
            assert len(verdicts) > 40 and set(verdicts) == {"khớp"}
            written = run([SCP, "backup", str(target)], env, timeout=600)
            assert written.returncode == 0, written.stderr
            refused = run([SCP, "restore", str(source)], env)
            assert refused.returncode == 1 and "--force" in refused.stderr
    finally:
        database_drop(away)
        database_drop(back)

    assert json.loads(zipfile.ZipFile(second).read("manifest.json"))["source_database"] == there
    original, away_tables, back_tables = tables(first), tables(second), tables(third)
    assert sorted(original) == sorted(away_tables) == sorted(back_tables)
    differing = {label: _first_difference(original[label], away_tables[label],
                                          back_tables[label])
                 for label in original
                 if not original[label] == away_tables[label] == back_tables[label]}
    assert differing == {}
    counts = {label: len(rows) for label, rows in original.items()}
    assert counts["accounts.user"] >= 1 and counts["accounts.apitoken"] == 1
    from plans.models import Task

    assert counts["plans.task"] == Task.objects.count() > 0
