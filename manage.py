#!/usr/bin/env python
"""Django's manage.py; `scp-monitor` is the same thing once installed."""

from config.cli import main

if __name__ == "__main__":
    main()
