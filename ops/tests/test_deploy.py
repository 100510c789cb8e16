"""The deployment files: the container's entrypoint and command, the systemd units, and the
production server itself (gunicorn with WhiteNoise) started for real on the loopback."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command, get_commands
from django.urls import resolve

from ops.tests.helpers import SCP, prod_env, run

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def _dockerfile_json(instruction: str) -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text()
    found = re.search(rf"^{instruction} (\[.*\])$", text, re.M)
    assert found, instruction
    return json.loads(found.group(1))


def test_the_image_s_entrypoint_and_command_exist():
    entrypoint = _dockerfile_json("ENTRYPOINT")
    assert entrypoint == ["/srv/scp-monitor/deploy/entrypoint.sh"]
    script = DEPLOY / "entrypoint.sh"
    assert os.access(script, os.X_OK)
    command = _dockerfile_json("CMD")
    assert command == ["scp-monitor", "serve"]
    assert "scp-monitor = \"config.cli:main\"" in (
        Path(settings.BASE_DIR) / "pyproject.toml").read_text()
    assert "serve" in get_commands()
    assert resolve("/healthz").url_name == "health"


def test_the_serve_command_runs_gunicorn_with_the_project_s_settings(capsys):
    call_command("serve", "--dry-run", "--bind", "127.0.0.1:8108", "--workers", "3")
    argv = capsys.readouterr().out.split()
    assert argv[1:4] == ["-m", "gunicorn", "--config"]
    assert argv[4].endswith("config/gunicorn.conf.py")
    assert argv[-5:] == ["--bind", "127.0.0.1:8108", "--workers", "3",
                         "config.wsgi:application"]


def test_compose_runs_the_image_with_the_required_settings():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    web = compose["services"]["web"]
    assert web["build"]["dockerfile"] == "deploy/Dockerfile"
    for name in ["DATABASE_URL", "SCP_SECRET_KEY", "SCP_ALLOWED_HOSTS", "SCP_BASE_URL"]:
        assert name in web["environment"]
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert "send-reminders" in " ".join(compose["services"]["reminders"]["command"])
    assert compose["services"]["worker"]["command"] == ["scp-monitor", "worker"]
    assert web["environment"]["SCP_JOB_RUNNER"] == "worker"


@pytest.mark.parametrize("unit, command", [
    ("scp-monitor.service", "serve"), ("scp-monitor-reminders.service", "send-reminders"),
    ("scp-monitor-backup.service", "backup"), ("scp-monitor-worker.service", "worker")])
def test_systemd_units_run_existing_commands(unit, command):
    text = (DEPLOY / unit).read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", text, re.M)
    assert exec_start and f"scp-monitor {command}" in exec_start.group(1)
    assert command in get_commands()
    assert "EnvironmentFile=/etc/scp-monitor/env" in text


def test_the_nightly_unit_deletes_expired_sessions_before_the_backup():
    text = (DEPLOY / "scp-monitor-backup.service").read_text()
    assert re.search(r"^ExecStartPre=\S*scp-monitor clearsessions$", text, re.M)
    assert "clearsessions" in get_commands()


def test_the_entrypoint_stops_with_one_line_when_a_setting_is_missing(tmp_path):
    env = prod_env(tmp_path, PATH=f"{Path(SCP).parent}:{os.environ['PATH']}")
    del env["SCP_SECRET_KEY"]
    result = run([str(DEPLOY / "entrypoint.sh"), "echo", "started"], env)
    assert result.returncode != 0 and "started" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if "SCP_SECRET_KEY" in line]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as exc:
        return exc


def test_the_entrypoint_collects_static_files_and_gunicorn_serves_them(tmp_path):
    port = _free_port()
    env = prod_env(tmp_path, PATH=f"{Path(SCP).parent}:{os.environ['PATH']}",
                   SCP_LOCAL_HTTP="1", SCP_ALLOWED_HOSTS="127.0.0.1", SCP_SKIP_MIGRATE="1",
                   SCP_WORKERS="1")
    server = subprocess.Popen(
        [str(DEPLOY / "entrypoint.sh"), "scp-monitor", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        health = None
        for _ in range(600):  # until the server answers, or it has died
            if server.poll() is not None:
                break
            try:
                health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        assert health is not None, server.stdout.read() if server.stdout else ""
        assert json.loads(health.read())["database"] == "ok"
        assert health.headers["X-Request-ID"]
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["web/app.css"]
        assert hashed != "web/app.css"
        css = _get(f"http://127.0.0.1:{port}/static/{hashed}", **{"Accept-Encoding": "gzip"})
        assert css.status == 200
        assert css.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert css.headers["Content-Encoding"] == "gzip"
        login = _get(f"http://127.0.0.1:{port}/login/")
        assert login.status == 200
        assert f"/static/{hashed}" in login.read().decode()
        missing = _get(f"http://127.0.0.1:{port}/no-such-page/")
        assert missing.status == 404
        assert "Traceback" not in missing.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=60)
