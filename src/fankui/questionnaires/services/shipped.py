"""The shipped templates (``questionnaires/shipped/*.json``): questionnaires a member of staff copies and adapts.

A template is data, in Chinese and English: pages of questions (``kind``, texts, ``required``, ``options`` as
[Chinese, English, score], matrix ``rows``, a rating scale's ``min``/``max``, the labels of a scale's two ends) and
show-if by the ``ref`` of an earlier question (``values``: 1-based positions of its choices; or ``min``/``max``).
Copying makes an ordinary draft questionnaire through the builder's own rules.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fankui.core.errors import NotFound

from ..models import Axis, Choice, Page, Question, Questionnaire, in_language
from .building import Settings, create, new_key

FOLDER = Path(__file__).resolve().parent.parent / "shipped"
# In the order the builder offers them.
KEYS = ("government_service", "hospital_patient", "school_parents", "company_staff")


@cache
def load(key: str) -> dict[str, Any]:
    if key not in KEYS:
        raise NotFound(_("No such template."))
    data: dict[str, Any] = json.loads((FOLDER / f"{key}.json").read_text(encoding="utf-8"))
    return data


def available() -> list[tuple[str, str]]:
    """(key, title in the reader's language) of each template."""
    return [(key, in_language(load(key)["title_zh"], load(key)["title_en"])) for key in KEYS]


def _build(question: Question, spec: dict[str, Any]) -> list[Choice]:
    choices = [
        Choice(question=question, axis=Axis.OPTION, key=new_key("c"), position=n, label_zh=zh, label_en=en, score=score)
        for n, (zh, en, score) in enumerate(spec.get("options", []), start=1)
    ]
    choices += [
        Choice(question=question, axis=Axis.ROW, key=new_key("c"), position=n, label_zh=zh, label_en=en)
        for n, (zh, en) in enumerate(spec.get("rows", []), start=1)
    ]
    return choices


def copy(user: Any, key: str, settings: Settings | None = None) -> Questionnaire:
    """A new draft questionnaire made from the template ``key``; ``settings`` (department, dates, titles) as the
    person chose them, else the template's own titles."""
    data = load(key)
    settings = settings or Settings(title_zh=data["title_zh"])
    for name in ("title_zh", "title_en", "intro_zh", "intro_en"):
        if not getattr(settings, name):
            setattr(settings, name, data.get(name, ""))
    settings.anonymous = settings.anonymous or bool(data.get("anonymous"))
    with transaction.atomic():
        questionnaire = create(user, settings, template=key)
        version = questionnaire.current_version
        assert version is not None
        refs: dict[str, Question] = {}
        choices: list[Choice] = []
        for page_number, page_spec in enumerate(data["pages"], start=1):
            page = Page.objects.create(
                version=version,
                key=new_key("p"),
                position=page_number,
                title_zh=page_spec.get("title_zh", ""),
                title_en=page_spec.get("title_en", ""),
            )
            for position, spec in enumerate(page_spec["questions"], start=1):
                question = Question(
                    version=version,
                    page=page,
                    key=new_key("q"),
                    position=position,
                    kind=spec["kind"],
                    text_zh=spec["text_zh"],
                    text_en=spec.get("text_en", ""),
                    required=bool(spec.get("required")),
                    scale_min=spec.get("min", 1),
                    scale_max=spec.get("max", 5),
                    low_label_zh=spec.get("low_zh", ""),
                    low_label_en=spec.get("low_en", ""),
                    high_label_zh=spec.get("high_zh", ""),
                    high_label_en=spec.get("high_en", ""),
                )
                condition = spec.get("show_if")
                if condition:
                    source = refs[condition["ref"]]
                    question.show_if = source
                    options = [c for c in choices if c.question is source and c.axis == Axis.OPTION]
                    question.show_if_values = [options[n - 1].key for n in condition.get("values", [])]
                    question.show_if_min = condition.get("min")
                    question.show_if_max = condition.get("max")
                question.save()
                refs[spec["ref"]] = question
                choices += _build(question, spec)
        Choice.objects.bulk_create(choices)
    return questionnaire
