"""Free-text answers through the analysis: personal data masked, the sentiment model's reading, keywords (topics),
and the link of an answer, or a group of them, to an improvement action (actions.Action).

A text answer is read once (``read_pending``: the results page reads the ones not read yet, a bounded batch per
view, and ``fankui`` workers can call it for a whole questionnaire); the reading is kept in ``TextReading``. The
sentiment is the analysis's own model (``analysis.predictors.SentimentPredictor``, the one cases get), applied to the
masked text as for a case; no case is made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.actions.models import Action
from fankui.actions.services import visible_actions
from fankui.analysis import predictors
from fankui.analysis.store import ModelNotFound
from fankui.core import text as text_rule
from fankui.core.errors import NotFound, PermissionDenied, ValidationFailed
from fankui.core.text import as_id
from fankui.nlp import text as nlp_text
from fankui.nlp.masking import mask
from fankui.nlp.text import DATA_DIR

from ..models import Answer, AnswerAction, Kind, Questionnaire, TextReading
from . import can_edit
from .building import audit

BATCH = 500
KEYWORDS = 5


@cache
def _stopwords() -> frozenset[str]:
    return frozenset((DATA_DIR / "stopwords.txt").read_text(encoding="utf-8").split())


def keywords(text: str, limit: int = KEYWORDS) -> list[str]:
    """The words a text is about: its most frequent words of two characters or more that are not stop words."""
    stop = _stopwords()
    words = [w for w in nlp_text.words(text) if len(w) >= 2 and w not in stop and not w.isdigit()]
    return [w for w, _n in Counter(words).most_common(limit)]


def text_answers(questionnaire: Questionnaire) -> QuerySet[Answer]:
    return Answer.objects.filter(question__version__questionnaire=questionnaire, question__kind=Kind.TEXT).exclude(
        text=""
    )


SENTIMENTS = ("negative", "neutral", "positive")


def read_answers(questionnaire: Questionnaire, *, sentiment: str = "", word: str = "") -> QuerySet[Answer]:
    """The text answers read so far, newest first, of one sentiment and holding ``word`` (in the masked text) when
    given. ``ValidationFailed`` for a word with a control character (PostgreSQL refuses NUL even in a search)."""
    rows = (
        text_answers(questionnaire)
        .filter(reading__isnull=False)
        .select_related("reading", "question", "response__version")
        .order_by("-response__submitted_at", "-id")
    )
    if sentiment in SENTIMENTS:
        rows = rows.filter(reading__sentiment=sentiment)
    if word:
        try:
            text_rule.check(word)
        except ValueError as error:
            raise ValidationFailed({"topic": [str(error)]}) from None
        rows = rows.filter(reading__masked_text__contains=word)
    return rows


def read(answers: Sequence[Answer]) -> list[TextReading]:
    """Read these text answers (masked, sentiment, keywords) and keep the readings; returns them."""
    if not answers:
        return []
    masked = [mask(a.text).text for a in answers]
    try:
        model = predictors.SentimentPredictor(predictors.store.load("sentiment"))
        sentiments = model.analyse(masked)
        version = model.version
    except ModelNotFound:
        sentiments, version = [], ""
    now = timezone.now()
    readings = []
    for i, answer in enumerate(answers):
        sentiment = sentiments[i] if sentiments else None
        readings.append(
            TextReading(
                answer=answer,
                masked_text=masked[i],
                sentiment=sentiment.label if sentiment else "",
                sentiment_score=sentiment.score if sentiment else None,
                keywords=keywords(masked[i]),
                model_version=version,
                analysed_at=now,
            )
        )
    TextReading.objects.bulk_create(readings, ignore_conflicts=True)
    return readings


def read_pending(questionnaire: Questionnaire, limit: int = BATCH) -> int:
    """Read up to ``limit`` text answers of the questionnaire that have no reading yet; returns how many."""
    pending = list(text_answers(questionnaire).filter(reading__isnull=True).order_by("id")[:limit])
    return len(read(pending))


@dataclass
class TextSummary:
    answers: int
    read: int
    sentiments: dict[str, int]
    topics: list[tuple[str, int]]


def summarise(questionnaire: Questionnaire, question_ids: Iterable[int] | None = None, top: int = 12) -> TextSummary:
    """The sentiments and the most frequent keywords of the text answers read so far."""
    from django.db.models import Count

    rows = text_answers(questionnaire)
    if question_ids is not None:
        rows = rows.filter(question_id__in=list(question_ids))
    readings = TextReading.objects.filter(answer__in=rows.values("id"))
    sentiments = dict(
        readings.order_by().values_list("sentiment").annotate(n=Count("answer_id")).values_list("sentiment", "n")
    )
    topics: Counter[str] = Counter()
    for words in readings.values_list("keywords", flat=True).iterator(chunk_size=2000):
        topics.update(words or [])
    return TextSummary(rows.count(), sum(sentiments.values()), sentiments, topics.most_common(top))


def sentiment_label(value: str) -> str:
    return {"negative": _("Negative"), "neutral": _("Neutral"), "positive": _("Positive")}.get(value, value or "—")


# --- Linking to an improvement action -----------------------------------------------------------------------------
def linkable_actions(user: Any) -> QuerySet[Action]:
    """The actions ``user`` may link answers to: those they see that are not finished or abandoned."""
    return visible_actions(user).exclude(state__in=["verified", "abandoned"]).order_by("-created_at")


def _id(value: int | str) -> int | None:
    """A row id as posted (a form's text), or None when it is not one (ASCII digits only: int() reads "٣" too, and
    str.isdigit() says yes to "²", which int() refuses)."""
    text = str(value)
    return as_id(text)


def link(user: Any, questionnaire: Questionnaire, answer_ids: Sequence[int | str], action_id: int | str) -> int:
    """Link the questionnaire's text answers ``answer_ids`` to the action ``action_id`` (one the user sees; ids as
    posted); the answers already linked to it are left as they are. Returns how many links are new.
    ``PermissionDenied`` for a user who may not change the questionnaire, ``ValidationFailed`` when no answer or no
    action is chosen, ``NotFound`` for an action or an answer the user cannot reach."""
    if not can_edit(user, questionnaire):
        raise PermissionDenied(_("You may not change this questionnaire."))
    action_pk = _id(action_id)
    if action_pk is None:
        raise ValidationFailed({"action": [_("Please choose an improvement action.")]})
    parsed = [_id(i) for i in answer_ids]
    if None in parsed:
        raise NotFound(_("Some of these answers are not in this questionnaire."))
    ids = sorted({i for i in parsed if i is not None})
    if not ids:
        raise ValidationFailed({"answers": [_("Please choose at least one answer.")]})
    action = linkable_actions(user).filter(pk=action_pk).first()
    if action is None:
        raise NotFound(_("No such improvement action."))
    answers = list(text_answers(questionnaire).filter(pk__in=ids).values_list("pk", flat=True))
    if len(answers) != len(ids):
        raise NotFound(_("Some of these answers are not in this questionnaire."))
    with transaction.atomic():
        linked = set(
            AnswerAction.objects.filter(action=action, answer_id__in=answers).values_list("answer_id", flat=True)
        )
        new = [pk for pk in answers if pk not in linked]
        AnswerAction.objects.bulk_create(
            [AnswerAction(answer_id=pk, action=action, linked_by=user) for pk in new], ignore_conflicts=True
        )
        audit(user, questionnaire, "link_action", action=action.pk, answers=new)
    return len(new)


def unlink(user: Any, questionnaire: Questionnaire, answer_id: int, action_id: int) -> None:
    action = linkable_actions(user).filter(pk=action_id).first()
    if action is None:
        raise NotFound(_("No such improvement action."))
    deleted, _detail = AnswerAction.objects.filter(
        answer_id=answer_id, action=action, answer__question__version__questionnaire=questionnaire
    ).delete()
    if deleted:
        audit(user, questionnaire, "unlink_action", action=action.pk, answers=[answer_id])
