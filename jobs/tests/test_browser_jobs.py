"""An import's job page in a real browser (Playwright driving Debian's Chromium): the
upload goes to the job's page, whose bar htmx keeps up to date until the import is done
and the tally shows, without reloading; with no worker configured, a thread of the server
runs it. SCP_SCREENSHOTS=DIR saves the page running and done at 1280 and 390 px."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from jobs.models import Job, JobState
from jobs.services import job_claim, job_progress
from jobs.worker import DRAINER, job_run
from registry.models import Area
from registry.tests.conftest import xlsx

SHOTS = os.environ.get("SCP_SCREENSHOTS", "")


def _areas(prefix: str, n: int) -> bytes:
    return xlsx([["kind", "name", "place", "valid_from"]]
                + [["industrial_cluster", f"{prefix} {i}", "tp-uong-bi", "01/01/2020"]
                   for i in range(n)])


def _upload(page, base: str, path: Path) -> None:
    page.goto(f"{base}/registry/areas/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))


def _shot(page, name: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"jobs-{name}-{width}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_bar_follows_the_import_to_its_end(live_server, reference_data, make_user,
                                               browser, settings, tmp_path, width):
    coordinator = make_user(Role.COORDINATOR, "sct")
    page = browser.new_context(viewport={"width": width, "height": 900},
                               locale="vi-VN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", coordinator.username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)

    # a worker process runs the jobs: this test is it, so the page is seen at each step
    settings.SCP_JOB_RUNNER = "worker"
    path = tmp_path / "cum-cong-nghiep.xlsx"
    path.write_bytes(_areas("CCN", 1200))
    _upload(page, live_server.url, path)
    expect(page.locator("#job-status")).to_contain_text("Đang chờ đến lượt")
    job = job_claim(worker="test")
    assert job is not None
    job_progress(job=job, done=500, total=1201)
    expect(page.locator("#job-status")).to_contain_text("500 trên 1.201 bước (41%)")
    assert page.locator("#job-progress").get_attribute("value") == "500"
    _shot(page, "running", width)
    job_run(job)  # the rest of the import; the page learns of it by itself
    expect(page.locator("#job-status")).to_contain_text(
        "Đã nhập 1.200 dòng: 1.200 mục mới", timeout=30_000)
    bar = page.locator("#job-progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "1"
    assert Area.objects.count() == 1200
    _shot(page, "done", width)

    # no worker configured: a thread of the server runs it; a bad row is listed
    settings.SCP_JOB_RUNNER = "thread"
    rows = [["kind", "name", "place", "valid_from"],
            ["industrial_cluster", "CCN Mới", "khong-co-noi-nay", "01/01/2020"]]
    path.write_bytes(xlsx(rows))
    _upload(page, live_server.url, path)
    # (the in-memory SQLite of the tests locks whole tables while the thread writes, which
    # a file in WAL mode does not: look once it has ended)
    DRAINER.join(30)
    page.reload()
    expect(page.locator("#job-status")).to_contain_text("Tệp không được nhập: 1 lỗi")
    expect(page.locator("table.problems tbody tr")).to_have_count(1)
    expect(page.locator("table.problems")).to_contain_text("khong-co-noi-nay")
    _shot(page, "failed", width)
    assert Job.objects.filter(state=JobState.DONE).count() == 1
    assert not Area.objects.filter(name="CCN Mới").exists()
    page.context.close()
