"""The registry's Excel imports as background jobs (`jobs`): the upload page queues one
and shows its progress; the job calls the import unchanged, with `on_progress`."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jobs.kinds import JobFailed, Outcome, Progress, job_kind_register
from registry import excel

IMPORT_KIND = "registry.import"

# what → the import; "registry" takes the registry's slug too
IMPORTS: dict[str, Any] = {
    "registry": excel.registry_import,
    "activities": excel.activities_import,
    "packaging": excel.packaging_import,
    "figures": excel.figures_import,
}


def import_run(*, content: bytes, params: dict[str, Any], actor: Any,
               on_progress: Progress) -> Outcome:
    """Run the import `params["what"]` (and `params["slug"]`) on the uploaded file: the
    tally, or JobFailed listing every problem with sheet, row and column."""
    run = IMPORTS[params["what"]]
    if params["what"] == "registry":
        run = partial(run, slug=params["slug"])
    try:
        result = run(content=content, actor=actor, on_progress=on_progress)
    except excel.ImportRejected as exc:
        raise JobFailed(ngettext(
            "The file was not imported: %(n)d problem. Nothing was stored.",
            "The file was not imported: %(n)d problems. Nothing was stored.",
            exc.total) % {"n": exc.total},
            {"problems": [asdict(p) for p in exc.problems], "more": exc.more}) from None
    counts = {key: number_format(getattr(result, key), force_grouping=True)
              for key in ("rows", "created", "updated", "unchanged")}
    return Outcome(_(
        "Imported %(rows)s rows: %(created)s created, %(updated)s updated, "
        "%(unchanged)s unchanged.") % counts, asdict(result))


def register() -> None:
    job_kind_register(name=IMPORT_KIND, label=gettext_lazy("Import from Excel"),
                      run=import_run)
