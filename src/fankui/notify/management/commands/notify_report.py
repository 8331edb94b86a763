"""`fankui notify_report`: what was sent, what failed and why, and SMS waiting for a gateway (JSON)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from fankui.notify.delivery import report


class Command(BaseCommand):
    help = "Report messages by channel and status, failure reasons, and SMS waiting for a gateway."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(report(), ensure_ascii=False, indent=2))
