"""The analysis and the topic placement save a batch's rows with one UPDATE statement run (``core.rows.update_rows``,
docs/decisions/0005). It prepares values through each field's ``get_db_prep_save`` as ``Model.save`` does: this
test fails if a Django upgrade makes the two write different values, for every column those saves write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fankui.analysis import pipeline
from fankui.analysis.models import CaseAnalysis, KeywordRule
from fankui.core.rows import update_rows
from fankui.topics.models import Topic
from fankui.topics.placement import PLACED_FIELDS
from tests import factories

pytestmark = pytest.mark.django_db


def results(topic: Topic, rule: KeywordRule) -> dict[str, Any]:
    category = factories.category("城乡建设")
    return {
        "status": CaseAnalysis.Status.DONE,
        "attempts": 2,
        "error": "",
        "analysed_at": datetime(2026, 11, 16, 2, 0, 0, 123456, tzinfo=UTC),
        "masked_title": "丽发新城搅拌站噪音扰民",
        "masked_body": "电话138****5678，搅拌站日夜施工。",
        "personal_data": {"mobile": 1},
        "kind": "complaint",
        "kind_confidence": 0.8125,
        "nature": "problem",
        "nature_confidence": None,
        "category": category,
        "category_confidence": 0.61,
        "sentiment": "negative",
        "sentiment_score": -0.5,
        "urgency": "urgent",
        "urgency_confidence": 0.7,
        "urgency_reasons": ["hazard", "pressing"],
        "department": category.department,
        "department_confidence": None,
        "rule": rule,
        "model_versions": {"kind": "rules-2026.11", "category": "staff"},
        "place": "丽发新城",
        "words": "搅拌站 噪音扰民",
        "duplicate_of": factories.case("更早的一件"),
        "duplicate_similarity": 0.734,
        "topic": topic,
    }


def test_the_batch_update_writes_what_save_writes() -> None:
    topic = Topic.objects.create(
        label="丽发新城搅拌站噪音扰民", first_seen_at=datetime(2026, 11, 1, tzinfo=UTC), last_seen_at=datetime.now(UTC)
    )
    rule = KeywordRule.objects.create(name="搅拌站", keywords="搅拌站")
    saved, updated = (CaseAnalysis.objects.get(case=factories.case(f"第{i}件")) for i in range(2))
    fields = sorted({*pipeline.FIELDS, *PLACED_FIELDS})
    for name, value in results(topic, rule).items():
        setattr(saved, name, value)
        setattr(updated, name, value)

    saved.save(update_fields=fields)
    update_rows([updated], fields)

    rows = {row.pop("case_id"): row for row in CaseAnalysis.objects.filter(pk__in=[saved.pk, updated.pk]).values()}
    assert rows[saved.pk] == rows[updated.pk]
    assert rows[updated.pk]["personal_data"] == {"mobile": 1} and rows[updated.pk]["topic_id"] == topic.pk
