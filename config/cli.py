"""The `scp-monitor` console script: Django's management commands under the project's name."""

import os
import sys


def settings_or_exit(prog: str) -> None:
    """Load the settings; if one is missing or wrong, say which in one line and stop
    (exit status 2) instead of a traceback."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loading the settings module is the point)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"{prog}: configuration error: {exc}\n")
        raise SystemExit(2) from None


def _settings_option(argv: list[str]) -> str | None:
    """The value of --settings, which Django would apply only after loading the settings."""
    for i, arg in enumerate(argv):
        if arg.startswith("--settings="):
            return arg.split("=", 1)[1]
        if arg == "--settings" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def main() -> None:
    chosen = _settings_option(sys.argv[1:])
    if chosen:
        os.environ["DJANGO_SETTINGS_MODULE"] = chosen
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    settings_or_exit("scp-monitor")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["scp-monitor", *sys.argv[1:]])


if __name__ == "__main__":
    main()
