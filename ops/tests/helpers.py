"""Running the console script in a subprocess, as an operator would, against a database
of its own; reading a backup archive's tables."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

from ops.backup import backup_read

SCP = str(Path(sys.executable).with_name("scp-monitor"))
PG_URL = "postgres://postgres@127.0.0.1:5432"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment without the test run's database and settings, data under tmp_path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SCP_", "DJANGO_")) and k != "DATABASE_URL"}
    env["SCP_VAR_DIR"] = str(tmp_path)
    env.update(extra)
    return env


def prod_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    values = {"DJANGO_SETTINGS_MODULE": "config.settings.prod",
              "SCP_SECRET_KEY": secrets.token_urlsafe(50),
              "SCP_ALLOWED_HOSTS": "scp.congthuong.quangninh.gov.vn", **extra}
    return clean_env(tmp_path, **values)


def run(argv: list[str], env: dict[str, str], timeout: int = 120
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=settings.BASE_DIR, capture_output=True,
                          text=True, timeout=timeout, check=False)


def tables(archive: Path) -> dict[str, list[dict]]:
    """Every row of every table in an archive, by model, in primary-key order."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for obj in json.loads(backup_read(path=archive).data):
        rows[obj["model"]].append({"pk": obj["pk"], **obj["fields"]})
    return dict(rows)


def fresh_database(tmp_path: Path, vendor: str, name: str, **extra: str) -> dict[str, str]:
    """An environment (with `extra` variables) whose database is new and migrated, of the
    given engine."""
    if vendor == "sqlite":
        env = clean_env(tmp_path / name, **extra)
    else:
        import psycopg

        db = f"scp_t_{os.getpid()}_{name}"
        try:
            with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                pg.execute(f'CREATE DATABASE "{db}"')
        except psycopg.OperationalError as exc:  # pragma: no cover - scripts/test has it
            pytest.skip(f"no PostgreSQL on 127.0.0.1:5432: {exc}")
        env = clean_env(tmp_path / name, DATABASE_URL=f"{PG_URL}/{db}", **extra)
    (tmp_path / name).mkdir(exist_ok=True)
    migrated = run([SCP, "migrate", "-v0"], env, timeout=600)
    assert migrated.returncode == 0, migrated.stderr
    return env


def database_drop(env: dict[str, str]) -> None:
    url = env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
