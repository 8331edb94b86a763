from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.insights import builders, periods, queries
from fankui.topics.models import Topic

pytestmark = pytest.mark.django_db

RAW = "我叫张三，电话13812345678，幸福小区路灯坏了"
MASKED = "我叫[姓名]，电话[手机号]，幸福小区路灯坏了"


def _topic(label: str, heat: float = 1.0) -> Topic:
    now = timezone.now()
    return Topic.objects.create(
        label=label, keywords=["路灯", "幸福小区"], heat=heat, size=3, growth=1.5, first_seen_at=now, last_seen_at=now
    )


def _analysed(case: Case, topic: Topic, *, done: bool = True) -> None:
    CaseAnalysis.objects.filter(case=case).update(
        topic=topic,
        status=CaseAnalysis.Status.DONE if done else CaseAnalysis.Status.PENDING,
        masked_title="路灯" if done else "",
        masked_body=MASKED if done else "",
    )


def test_topics_rank_by_cases_in_the_period_with_masked_examples(walk: Callable[..., Case]) -> None:
    lights, noise = _topic("幸福小区路灯不亮"), _topic("工地夜间施工噪音", heat=9)
    for day in ("02", "03", "04"):
        _analysed(walk(f"2026-11-{day} 09:00", body=RAW), lights)
    _analysed(walk("2026-11-05 09:00", body=RAW), noise)
    _analysed(walk("2026-10-05 09:00", body=RAW), lights)

    topics, analysed = queries.hot_topics(queries.whole_organisation(), periods.parse("2026-11"))

    assert [t.label for t in topics] == ["幸福小区路灯不亮", "工地夜间施工噪音"]
    assert (topics[0].count, topics[0].previous) == (3, 1)
    assert len(topics[0].examples) == 2
    assert all(MASKED in e.text and "13812345678" not in e.text for e in topics[0].examples)
    assert (analysed.numerator, analysed.denominator) == (4, 4)


def test_a_pending_analysis_gives_no_example_and_raw_text_never_reaches_the_report(walk: Callable[..., Case]) -> None:
    topic = _topic("幸福小区路灯不亮")
    _analysed(walk("2026-11-02 09:00", body=RAW), topic, done=False)
    walk("2026-11-03 09:00", body=RAW)  # no analysis result at all

    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))

    assert report.topics[0].examples == []
    assert (report.analysed_share.numerator, report.analysed_share.denominator) == (0, 2)
    page = builders.html(report).decode()
    assert "13812345678" not in page and "张三" not in page
