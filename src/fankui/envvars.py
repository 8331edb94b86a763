"""The typed readers of the FANKUI_* environment variables, which settings.py calls for each one (nothing else
reads them: tests/core/test_configuration_is_read_in_one_place.py).

Each helper reads FANKUI_<name> once. Unset or empty means the default (except where a helper says otherwise); a
value that is not of the expected form stops the program with a one-line message naming the variable
(ImproperlyConfigured, which the `fankui` command prints without a traceback: fankui.cli).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def _raw(name: str) -> str:
    return os.environ.get(f"FANKUI_{name}", "").strip()


def bad(name: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"FANKUI_{name}={_raw(name)!r}: expected {expected}")


def env_str(name: str, default: str = "") -> str:
    # Not stripped: a password may begin or end with a space.
    return os.environ.get(f"FANKUI_{name}") or default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise bad(name, "1 or 0 (true/false, yes/no, on/off)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise bad(name, f"a whole number of at least {minimum}")
    return number


def env_fraction(name: str, default: float | None) -> float | None:
    """A confidence threshold above 0 and at most 1. Unlike the others, set but empty means "never" (None)."""
    if f"FANKUI_{name}" not in os.environ:
        return default
    value = _raw(name)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number <= 1:
        raise bad(name, f"a number above 0 and at most 1, e.g. FANKUI_{name}=0.8, or nothing for never")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list."""
    items = [item.strip() for item in _raw(name).split(",") if item.strip()]
    return items or default


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = _raw(name) or default
    if value not in choices:
        raise bad(name, "one of " + ", ".join(choices))
    return value


def env_rate(name: str, default: str) -> tuple[int, int] | None:
    """A rate limit "N/unit" (unit s, m, h or d: "20/h", "5/10m"), or "off"; None means no limit."""
    value = (_raw(name) or default).lower()
    if value in {"off", "0", "none"}:
        return None
    count, _slash, per = value.partition("/")
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    amount = per[:-1] or "1"
    if not (count.isdigit() and int(count) > 0 and per and per[-1] in units and amount.isdigit() and int(amount)):
        raise bad(name, 'a rate like "20/h" or "5/10m" (s, m, h, d), or "off"')
    return int(count), int(amount) * units[per[-1]]
