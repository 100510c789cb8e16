"""gunicorn settings for the SIGKILL tests only (never for a real server): the project's
own settings (config/gunicorn.conf.py) with one worker, and, when SCP_TEST_PAUSE_AFTER
is set, a pause inside the worker's transaction.

The pause is a database execute wrapper installed on the worker's connections: after the
first statement matching the regular expression SCP_TEST_PAUSE_AFTER (SQL and parameters)
has run, it writes the worker's process id to the file SCP_TEST_PAUSE_SIGNAL and sleeps.
The statement has been sent to the database but its transaction is not committed, so the
test can kill the worker at exactly that point. Nothing in the application knows of it."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

_conf = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"
exec(compile(_conf.read_text(), str(_conf), "exec"))  # the production settings, as they are

workers = 1
max_requests = 0


def post_worker_init(worker) -> None:
    pattern = os.environ.get("SCP_TEST_PAUSE_AFTER")
    if not pattern:
        return
    from django.db import connections

    matches = re.compile(pattern, re.S).search
    signal = Path(os.environ["SCP_TEST_PAUSE_SIGNAL"])

    def pause(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if matches(f"{sql} {params!r}"):
            signal.write_text(str(os.getpid()))
            time.sleep(3600)  # until the test's SIGKILL
        return result

    # One connection object per thread, kept across requests; gunicorn's sync worker
    # serves every request on its main thread.
    connections["default"].execute_wrappers.append(pause)
