"""The ``fankui`` command: Django's management commands under one name (fankui serve, worker, demo, ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the settings: a bad FANKUI_* value is said in one line)
    except ImproperlyConfigured as exc:
        sys.exit(f"fankui: {exc}")
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `fankui rotate-key` runs the command module rotate_key (a Python module name has no hyphen).
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["fankui", *args])


if __name__ == "__main__":
    main()
