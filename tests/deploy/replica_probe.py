"""Run by test_replica_reads.py as a process of its own, on the databases its environment names (the primary in
FANKUI_DATABASE_URL, the replica in FANKUI_REPLICA_DATABASE_URL when set):

    python -m tests.deploy.replica_probe seed N   # N new cases on the primary (and a supervisor, once)
    python -m tests.deploy.replica_probe read     # one JSON line: what the dashboard counts, what the primary holds
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from fankui.accounts.models import Role, User  # noqa: E402
from fankui.cases.models import Case  # noqa: E402
from fankui.core.replica import replica_reads  # noqa: E402
from fankui.insights import periods, queries  # noqa: E402
from tests import factories  # noqa: E402


def seed(count: int) -> None:
    if not User.objects.filter(username="probe").exists():
        factories.user(role=Role.SUPERVISOR, username="probe")
    for _ in range(count):
        factories.case()


def read() -> dict[str, object]:
    period = periods.month_of(timezone.localdate())
    report = queries.build(queries.whole_organisation(), period)
    with replica_reads() as alias:
        pass
    client = Client()
    client.force_login(User.objects.get(username="probe"))
    page = client.get(reverse("insights:dashboard"))
    return {
        "dashboard_total": report.volume.total,
        "primary_total": Case.objects.count(),
        "reads_from": alias,
        "page": page.status_code,
    }


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]))
    else:
        print(json.dumps(read()))
