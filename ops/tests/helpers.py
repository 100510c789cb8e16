"""Running the console script in a subprocess, as an operator would."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SCP = str(Path(sys.executable).with_name("scp-monitor"))


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
