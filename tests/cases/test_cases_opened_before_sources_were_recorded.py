"""Migration cases 0003: cases opened before sources were recorded get the source their data shows, so that the
analysis leaves alone what a submitter or staff chose, and may still classify a complaint nobody chose."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from fankui.cases.models import Case
from fankui.intake.models import Submission

BEFORE = [("cases", "0002_case_closed_at_index"), ("intake", "0002_submission_language")]


@pytest.mark.django_db(transaction=True)
def test_existing_cases_get_the_sources_their_data_shows() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([*BEFORE, ("audit", "0001_initial")]).apps
    now = timezone.now()

    def case(n: int, kind: str, category: object = None) -> int:
        submission = old.get_model("intake", "Submission").objects.create(body=f"诉求{n}", received_at=now)
        return int(
            old.get_model("cases", "Case")
            .objects.create(
                submission=submission,
                tracking_code=f"T{n:011d}",
                number=f"2026-{n:06d}",
                kind=kind,
                category=category,
                created_at=now,
                state_changed_at=now,
            )
            .pk
        )

    roads = old.get_model("cases", "Category").objects.create(name="城乡建设")
    unchosen = case(1, "complaint")
    chosen = case(2, "inquiry", roads)
    corrected = case(3, "praise")
    old.get_model("audit", "Event").objects.create(
        case_id=corrected,
        action="analysis_corrected",
        data={"kind": {"from": "complaint", "to": "praise"}},
        created_at=now,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    sources = {c.pk: (c.kind_source, c.category_source) for c in Case.objects.all()}
    assert sources == {unchosen: ("", ""), chosen: ("citizen", "citizen"), corrected: ("staff", "")}
    kinds = dict(Submission.objects.values_list("case__pk", "kind"))
    assert kinds == {unchosen: "", chosen: "inquiry", corrected: ""}
