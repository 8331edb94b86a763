"""A topic's keywords are remade from the words kept on its cases' analyses (``topic_words``), read for many topics
in one query; a case placed before the words were kept is cut into words again, with the same result."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fankui.analysis.models import CaseAnalysis
from fankui.topics import placement, services
from fankui.topics.models import Topic
from tests.topics.test_topics_placed_as_a_batch import BATCH, pending


@pytest.mark.django_db
def test_placing_keeps_each_cases_topic_words_and_the_sample_reads_them() -> None:
    placement.place_in_topics(pending(BATCH))
    plant = Topic.objects.get(place="丽发新城")
    kept = list(CaseAnalysis.objects.filter(topic=plant).order_by("-case_id").values_list("topic_words", flat=True))
    assert len(kept) == 3 and all("搅拌站" in words.split(" ") for words in kept)

    sample, heads = services.latest_sample(plant)

    assert sample == [tuple(words.split(" ")) for words in kept]
    assert heads[0] == "A2区丽发新城旁搅拌站扰民"  # the newest case first


@pytest.mark.django_db
def test_a_case_placed_before_the_words_were_kept_is_cut_again_alike() -> None:
    placement.place_in_topics(pending(BATCH))
    plant = Topic.objects.get(place="丽发新城")
    before = services.latest_sample(plant)

    CaseAnalysis.objects.update(topic_words="")

    assert services.latest_sample(plant) == before


@pytest.mark.django_db
def test_the_samples_of_several_topics_are_read_in_one_query_and_match_one_by_one() -> None:
    placement.place_in_topics(pending(BATCH))
    # As the pipeline leaves every analysed case: its texts with personal data masked out.
    for analysis in CaseAnalysis.objects.select_related("case__submission"):
        submission = analysis.case.submission
        CaseAnalysis.objects.filter(pk=analysis.pk).update(masked_title=submission.title, masked_body=submission.body)
    topics = list(Topic.objects.order_by("id"))

    with CaptureQueriesContext(connection) as queries:
        together = services.latest_samples([t.pk for t in topics])

    assert len(queries.captured_queries) == 1
    assert together == {t.pk: services.latest_sample(t) for t in topics}
    assert [len(together[t.pk][0]) for t in topics] == [t.size for t in topics]


@pytest.mark.django_db
def test_cases_without_masked_texts_are_read_from_their_submissions_in_one_more_query() -> None:
    placement.place_in_topics(pending(BATCH))
    topics = list(Topic.objects.order_by("id"))
    assert not CaseAnalysis.objects.exclude(masked_title="").exists()  # never analysed: the submission's texts

    with CaptureQueriesContext(connection) as queries:
        together = services.latest_samples([t.pk for t in topics])

    assert len(queries.captured_queries) == 2
    assert together == {t.pk: services.latest_sample(t) for t in topics}
    assert together[Topic.objects.get(place="丽发新城").pk][1][0] == "A2区丽发新城旁搅拌站扰民"
