"""The ``fankui`` command: Django's management commands under one name (fankui serve, worker, demo, ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fankui", *sys.argv[1:]])


if __name__ == "__main__":
    main()
