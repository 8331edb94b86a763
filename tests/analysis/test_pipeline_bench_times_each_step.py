"""fankui bench analysis --steps: the CPU time of each step is counted during a run; then the steps are restored."""

from __future__ import annotations

import pytest

from fankui.analysis import pipeline
from fankui.bench.analysis import STEPS, _time_steps
from fankui.nlp import rules
from fankui.topics import placement
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_steps_of_a_run_are_timed_and_then_restored() -> None:
    factories.case("丽发新城小区旁边新建了搅拌站，日夜施工，噪音扰民。", title="丽发新城搅拌站噪音扰民")
    factories.case("魅力之城小区底层商铺油烟直排，夜宵摊烧烤到凌晨。", title="魅力之城小区油烟扰民")
    originals = (pipeline.analyse_batch, rules.urgency, placement.place_in_topics)

    spent, restore = _time_steps()
    assert pipeline.analyse_batch is not originals[0]
    assert pipeline.analyse_pending() == 2
    restore()

    assert (pipeline.analyse_batch, rules.urgency, placement.place_in_topics) == originals
    # Every step ran (two new topics were inserted too), and a step that holds another took at least as long.
    assert set(spent) == {f"{module.rsplit('.', 1)[-1]}.{name}" for module, name in STEPS} | {"predictors.sentiment"}
    assert spent["pipeline.analyse_batch"] >= spent["rules.urgency"] >= 0
