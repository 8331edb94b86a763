"""``analysis.services.suggest``: what the analysis would find in a caller's request while the operator types it, with
the pipeline's own models and rules and the topics app's duplicate lookup, and nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from fankui.accounts.models import Department, User
from fankui.analysis import services, store, suggestions
from fankui.analysis.models import CaseAnalysis, KeywordRule
from fankui.audit.models import Access, Event
from fankui.cases.models import Case, Category
from fankui.cases.services import moves
from fankui.core.errors import ValidationFailed
from fankui.intake.models import Submission
from fankui.nlp.classify import Settings, train
from fankui.topics import duplicates
from tests import factories

pytestmark = pytest.mark.django_db

REPORT = "丽发新城小区旁边建了一个搅拌站，每天晚上噪音很大，灰尘满天飞，居民无法休息，请求尽快处理。"
AGAIN = "丽发新城小区旁边建了个搅拌站，每晚噪音很大，灰尘满天飞，居民根本无法休息，请尽快处理！"

PLACES = ["人民路", "幸福小区", "滨江公园", "第一中学", "火车站", "中心医院"]
# What the demo's bureaus hear about (demo.people.BUREAUS), a few requests each.
CITY = {
    ("城乡建设", "市住房和城乡建设局"): ["路灯不亮", "井盖丢了", "小区物业乱收费", "楼道墙皮脱落"],
    ("环境保护", "市生态环境局"): ["工厂偷排污水", "烧烤油烟太大", "河道发黑发臭", "垃圾焚烧冒黑烟"],
    ("交通运输", "市交通运输局"): ["红绿灯坏了", "公交车经常晚点", "出租车拒载", "斑马线看不清"],
}


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    """Each test starts without the process's models and duplicate index: another test's rolled-back rows."""
    suggestions.forget_models()
    duplicates.reset_index()
    yield
    suggestions.forget_models()
    duplicates.reset_index()


@pytest.fixture
def city() -> dict[str, tuple[Category, Department]]:
    """Categories with their usual departments and the category and routing models trained on their requests, as
    ``fankui retrain`` trains them on the demo's cases."""
    found: dict[str, tuple[Category, Department]] = {}
    texts: list[str] = []
    categories: list[str] = []
    routes: list[str] = []
    for (category_name, department_name), issues in CITY.items():
        department = factories.department(department_name)
        category = factories.category(category_name, department=department)
        found[category_name] = (category, department)
        for place in PLACES:
            for issue in issues:
                texts.append(f"{place}{issue}，已经好几天了，影响居民生活，希望有关部门尽快处理。")
                categories.append(str(category.pk))
                routes.append(str(department.pk))
    for name, labels in (("category", categories), ("routing", routes)):
        model, report = train(texts, labels, Settings(folds=2))
        store.save(name, model, report)
    return found


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Case, Submission, CaseAnalysis, Event, Access, Category)
    }


def test_an_emergency_is_flagged_with_the_number_to_transfer_the_caller_to() -> None:
    gas = services.suggest("我家厨房燃气泄漏，闻到很浓的煤气味，现在怎么办")
    fight = services.suggest("楼下有人持刀砍人，快来人")
    fall = services.suggest("我父亲突然晕倒了，叫不醒")
    lamp = services.suggest("小区门口的路灯坏了一个月，晚上很黑。")

    assert gas.emergency and gas.urgency_reasons == ["gas"] and gas.emergency_numbers == ["119"]
    assert fight.emergency and fight.emergency_numbers == ["110"]
    assert fall.emergency and fall.emergency_numbers == ["120"]
    assert "119" in gas.instruction and "Transfer the caller" in gas.instruction
    assert not lamp.emergency and lamp.emergency_numbers == [] and lamp.instruction == ""


def test_an_emergency_is_never_suggested_for_automatic_dispatch(
    city: dict[str, tuple[Category, Department]], settings: pytest.FixtureRequest
) -> None:
    settings.FANKUI_AUTO_DISPATCH_CONFIDENCE = 0.1  # type: ignore[attr-defined]

    fire = services.suggest("人民路工厂着火了，浓烟很大，里面还有人")
    lamp = services.suggest("人民路路灯不亮，已经好几天了")

    assert fire.emergency and not fire.auto_dispatch
    assert lamp.department is not None and lamp.auto_dispatch


def test_a_text_close_to_an_open_case_names_that_case_as_likely_duplicate() -> None:
    factories.case("我家楼下的绿化带被人挖掉种菜，请城管部门管一管。")
    first = factories.case(REPORT)

    suggestion = services.suggest(AGAIN)

    assert suggestion.duplicate is not None
    assert suggestion.duplicate.case_id == first.pk
    assert 0.5 <= suggestion.duplicate.similarity <= 1.0
    assert services.suggest("我家楼下的路灯不亮了，请尽快修理。").duplicate is None


def test_a_case_received_while_the_process_runs_is_found_too() -> None:
    assert services.suggest(AGAIN).duplicate is None  # the index is loaded, without the case
    first = factories.case(REPORT)

    found = services.suggest(AGAIN).duplicate

    assert found is not None and found.case_id == first.pk


def test_a_merged_case_stands_for_its_primary_and_old_closed_history_is_not_named(dispatcher: User) -> None:
    primary = factories.case("小区垃圾站臭气熏天，夏天更严重，希望搬走。")
    copy = factories.case(REPORT)
    moves.merge(copy, dispatcher, primary)

    merged = services.suggest(AGAIN).duplicate

    assert merged is not None and merged.case_id == primary.pk
    with time_machine.travel(timezone.now() + timedelta(days=45), tick=False):
        moves.mark_spam(primary, dispatcher, "spam", "广告")  # ended, and received more than 30 days ago
        assert services.suggest(AGAIN).duplicate is None


def test_category_and_department_are_those_the_pipeline_would_choose(
    city: dict[str, tuple[Category, Department]],
) -> None:
    traffic, transport = city["交通运输"]
    environment, ecology = city["环境保护"]

    lights = services.suggest("火车站门口的红绿灯坏了好几天了，一直闪黄灯。")
    smoke = services.suggest("滨江公园旁边的烧烤店油烟太大，熏得没法开窗。", title="烧烤油烟")

    assert lights.category is not None and lights.category.id == traffic.pk and lights.category.name == "交通运输"
    assert lights.department is not None and lights.department.id == transport.pk
    assert 0.5 <= lights.category.confidence <= 1 and 0.5 <= lights.department.confidence <= 1
    assert smoke.category is not None and smoke.category.id == environment.pk
    assert smoke.department is not None and smoke.department.id == ecology.pk
    assert lights.model_versions["category"].startswith("category-")


def test_without_trained_models_a_keyword_rule_suggests_category_and_department() -> None:
    department = factories.department("市城市管理局")
    category = factories.category("市容环境")
    KeywordRule.objects.create(name="占道", keywords="占道经营,流动摊贩", category=category, department=department)

    suggestion = services.suggest("人民路上流动摊贩占道经营，行人只能走机动车道。")

    assert suggestion.category is not None and suggestion.category.id == category.pk
    assert suggestion.department is not None and suggestion.department.name == "市城市管理局"
    assert suggestion.model_versions["category"].startswith("rule-")


def test_personal_data_is_masked_before_anything_reads_it() -> None:
    suggestion = services.suggest("我的电话是13812345678，身份证110101199003071233，小区路灯坏了。")

    assert suggestion.personal_data == {"mobile": 1, "id_number": 1}


def test_nothing_is_written(city: dict[str, tuple[Category, Department]]) -> None:
    factories.case(REPORT)
    before = counts()

    services.suggest(AGAIN)
    services.suggest("我家厨房燃气泄漏，闻到很浓的煤气味")

    assert counts() == before


def test_the_models_are_loaded_once_per_process(city: dict[str, tuple[Category, Department]]) -> None:
    services.suggest("人民路路灯不亮")

    with CaptureQueriesContext(connection) as queries:
        again = services.suggest("人民路路灯不亮，已经好几天了")

    assert again.category is not None
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "cases_category" not in read and "analysis_keywordrule" not in read
    assert len(queries.captured_queries) <= 3  # the duplicate index's top-up and its candidates, by key


def test_a_rule_added_in_the_admin_is_used_once_the_models_are_renewed() -> None:
    category = factories.category("市容环境")
    services.suggest("流动摊贩占道经营")
    KeywordRule.objects.create(name="占道", keywords="占道经营", category=category)

    assert services.suggest("流动摊贩占道经营").category is None  # the process's copy, for up to a minute
    suggestions.forget_models()
    renewed = services.suggest("流动摊贩占道经营").category

    assert renewed is not None and renewed.id == category.pk


@pytest.mark.parametrize(
    ("text", "title", "field", "words"),
    [
        ("", "", "text", "Please describe"),
        ("   \n", "", "text", "Please describe"),
        ("路灯\x00坏了", "", "text", "U+0000"),
        ("路灯坏了", "标题\x1b", "title", "U+001B"),
        ("路灯坏了", "长" * 201, "title", "too long"),
    ],
)
def test_bad_input_is_refused_field_by_field(text: str, title: str, field: str, words: str) -> None:
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        services.suggest(text, title)

    assert field in refused.value.errors
    assert words in refused.value.errors[field][0]


def test_a_text_longer_than_intake_takes_is_refused(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_MAX_BODY_CHARS = 20  # type: ignore[attr-defined]

    with pytest.raises(ValidationFailed) as refused:
        services.suggest("路灯坏了" * 6)

    assert "text" in refused.value.errors
