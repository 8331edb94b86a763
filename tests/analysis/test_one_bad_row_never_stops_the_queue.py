"""A case whose analysis the database refuses costs that case an attempt, never the queue: it would otherwise be
first in every later batch and stop all analysis."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DataError

from fankui.analysis import pipeline, tasks
from fankui.analysis.models import CaseAnalysis
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_title_that_masking_makes_longer_is_cut_to_its_column() -> None:
    # 200 characters; each "a@b.cn" becomes "a***@b.cn", three characters longer (PostgreSQL refused the row).
    title = ("请回邮件" + "a@b.cn、" * 28)[:200]
    assert len(title) == 200
    case = factories.case("请通过邮件答复我。", title=title)
    assert tasks.analyse_pending() == 1
    analysis = CaseAnalysis.objects.get(case=case)
    assert analysis.status == CaseAnalysis.Status.DONE
    assert len(analysis.masked_title) == 200
    assert "a@b.cn" not in analysis.masked_title


def test_a_row_the_database_refuses_fails_alone_and_the_others_are_saved(monkeypatch: pytest.MonkeyPatch) -> None:
    good = [factories.case(f"幸福小区{i}号楼门口路灯不亮。") for i in range(3)]
    bad = factories.case("这一条保存不了。")
    real = pipeline.update_rows

    def refuse(objects: Any, fields: list[str]) -> None:
        if fields == pipeline.FIELDS and any(o.case_id == bad.pk for o in objects):
            raise DataError("value too long for type character varying(200)")
        real(objects, fields)

    monkeypatch.setattr(pipeline, "update_rows", refuse)
    # The sweep tries the refused case again, up to its last attempt, and ends: the others are saved.
    assert tasks.analyse_pending() == 4 + pipeline.MAX_ATTEMPTS - 1
    states = {a.case_id: a for a in CaseAnalysis.objects.all()}
    assert all(states[case.pk].status == CaseAnalysis.Status.DONE for case in good)
    refused = states[bad.pk]
    assert refused.status == CaseAnalysis.Status.FAILED
    assert refused.attempts == pipeline.MAX_ATTEMPTS
    assert "value too long" in refused.error
    # Later cases are analysed as usual.
    later = factories.case("人民路的井盖丢了。")
    monkeypatch.setattr(pipeline, "update_rows", real)
    assert tasks.analyse_pending() == 1
    assert CaseAnalysis.objects.get(case=later).status == CaseAnalysis.Status.DONE
