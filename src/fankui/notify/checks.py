"""What `fankui check --deploy` says about messages: links to citizens must point at an address they can reach."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from fankui.core.site import public_url


def public_url_is_set(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.FANKUI_PUBLIC_URL:
        return []
    return [
        Warning(
            f"FANKUI_PUBLIC_URL is not set: the links in messages to citizens point at {public_url()}, the "
            "address this process was started on (a worker started on its own uses 127.0.0.1:8000).",
            hint="Set FANKUI_PUBLIC_URL to the address citizens reach the site at, e.g. https://12345.example.gov.cn",
            id="notify.W001",
        )
    ]


def quiet_hours_are_valid(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from . import quiet

    try:
        quiet.parse(settings.FANKUI_QUIET_HOURS)
    except ValueError:
        return [
            Warning(
                f"FANKUI_QUIET_HOURS={settings.FANKUI_QUIET_HOURS!r} is not a period such as 22:00-08:00: no quiet "
                "hours are kept until it is corrected.",
                hint="Write it as HH:MM-HH:MM in the site's time zone (TIME_ZONE), or leave it empty for none.",
                id="notify.W002",
            )
        ]
    return []


def register_checks() -> None:
    # A deployment check only: on a laptop or in the demo the served address is the right one.
    register(public_url_is_set, deploy=True)
    register(quiet_hours_are_valid)
