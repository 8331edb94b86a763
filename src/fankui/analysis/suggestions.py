"""What the analysis would find in a text not sent yet: the hotline operator's suggestions while they type.

``services.suggest`` runs the pipeline's own steps (``pipeline.analyse_batch``: masking, kind, category, urgency,
department with the organisation's trained models and keyword rules) on the operator's text, then asks for a likely
duplicate among open and recent cases. It writes nothing; the case the operator then records is analysed by the
worker as every case is, and that analysis is the one that counts.

Two things here keep a suggestion well under the operator's pause in typing (bench/README.md, ``fankui bench
suggest``):
- ``cached_models``: the pipeline's ``Models`` (trained models, keyword rules, categories, departments; not the
  sentiment model, whose result a suggestion does not show) kept by the process for ``MODELS_SECONDS``. Loading them
  reads every active category with its parents: 12 ms on the demo, where the rest of a suggestion took 4 to 9
  (docs/decisions/0010). A rule, category or model changed in the admin or by retraining reaches the suggestions
  within that minute; the worker's analysis reads them fresh for every batch.
- The duplicate lookup is the ``topics`` app's process-wide index (``topics.duplicates.likely_duplicate``). The
  analysis may not import ``topics`` (it is a layer above), so ``topics`` registers its lookup here in its
  ``AppConfig.ready()`` (``register_duplicate_lookup``), as ``intake.files.register`` is filled by the apps above.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fankui.core.vocab import Kind

from .models import REASON_LABELS, Urgency
from .pipeline import Models
from .predictors import Sentiment, SentimentPredictor

# How long a process keeps the models, rules, categories and departments its suggestions use.
MODELS_SECONDS = 60.0

# Where an operator sends a caller in danger, by the urgency rules' reasons (``nlp.rules.EMERGENCY``): 110 police,
# 119 fire and rescue (fires, gas leaks, people trapped, floods), 120 ambulance. Most urgent first.
EMERGENCY_NUMBERS: dict[str, tuple[str, ...]] = {
    "gas": ("119",),
    "fire": ("119",),
    "trapped": ("119",),
    "flood": ("119",),
    "electric": ("120", "119"),
    "medical": ("120",),
    "self_harm": ("110", "120"),
    "violence": ("110",),
    "danger_to_life": ("110", "119", "120"),
}
# Whatever the reason, a danger to life is never left without a number to call.
DEFAULT_NUMBERS = ("110", "119", "120")
NUMBER_LABELS = {
    "110": _("110 police"),
    "119": _("119 fire and rescue"),
    "120": _("120 ambulance"),
}


def numbers_for(reasons: list[str]) -> list[str]:
    """The emergency numbers for these urgency reasons, most urgent first, each once."""
    found: list[str] = []
    for reason in reasons:
        for number in EMERGENCY_NUMBERS.get(reason, ()):
            if number not in found:
                found.append(number)
    return found or list(DEFAULT_NUMBERS)


def instruction(numbers: list[str]) -> str:
    """What the operator is told to do with a caller in danger."""
    return gettext(
        "Transfer the caller to %(numbers)s now, or call it yourself while the caller stays on the line; then record "
        "the case: it is flagged for immediate handling."
    ) % {"numbers": " / ".join(str(NUMBER_LABELS.get(number, number)) for number in numbers)}


@dataclass(frozen=True)
class Choice:
    """A suggested category or department: its id, its name, how sure the analysis is (0..1)."""

    id: int
    name: str
    confidence: float


@dataclass(frozen=True)
class Duplicate:
    """An open or recent case about the same problem (``case_id``), and how similar the texts are (0..1)."""

    case_id: int
    similarity: float


@dataclass
class Suggestion:
    """What the analysis would find in the operator's text. Nothing in it is personal data: the text is masked
    before anything reads it, and only the counts of what the masking found are kept (``personal_data``)."""

    kind: str
    kind_confidence: float
    category: Choice | None
    department: Choice | None
    urgency: str
    urgency_confidence: float
    urgency_reasons: list[str] = field(default_factory=list)
    # The emergency numbers to transfer the caller to (110, 119, 120), only when the urgency is "emergency".
    emergency_numbers: list[str] = field(default_factory=list)
    # The suggested department is sure enough for automatic dispatch (``FANKUI_AUTO_DISPATCH_CONFIDENCE``).
    auto_dispatch: bool = False
    duplicate: Duplicate | None = None
    personal_data: dict[str, int] = field(default_factory=dict)
    model_versions: dict[str, str] = field(default_factory=dict)

    @property
    def emergency(self) -> bool:
        return self.urgency == "emergency"

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label) if self.kind in Kind.values else self.kind

    @property
    def urgency_label(self) -> str:
        return str(Urgency(self.urgency).label) if self.urgency in Urgency.values else self.urgency

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS.get(reason, reason)) for reason in self.urgency_reasons]

    @property
    def instruction(self) -> str:
        """What to do with the caller, for an emergency; empty otherwise."""
        return instruction(self.emergency_numbers) if self.emergency else ""


class _SentimentNotRead(SentimentPredictor):
    """Suggestions show no sentiment, so its model is not run: a tenth to a fifth of a suggestion's CPU time."""

    def __init__(self) -> None:
        self.version = "not-read"

    def analyse(self, texts: list[str]) -> list[Sentiment]:
        return [Sentiment("", 0.0, 0.0) for _ in texts]


class _ModelCache:
    """The process's ``Models`` for suggestions, reloaded once they are ``MODELS_SECONDS`` old."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.models: Models | None = None
        self.loaded_at = 0.0

    def get(self) -> Models:
        now = time.monotonic()
        with self.lock:
            if self.models is None or now - self.loaded_at >= MODELS_SECONDS:
                # Under the lock: threads arriving meanwhile wait for this load instead of each doing their own.
                self.models = replace(Models.load(), sentiment=_SentimentNotRead())
                self.loaded_at = now
            return self.models

    def forget(self) -> None:
        with self.lock:
            self.models, self.loaded_at = None, 0.0


_models = _ModelCache()


def cached_models() -> Models:
    return _models.get()


def forget_models() -> None:
    """The next suggestion loads the models afresh (tests; after ``fankui retrain`` in the same process)."""
    _models.forget()


# (masked title, masked body) -> (case id, similarity) or None.
DuplicateLookup = Callable[[str, str], "tuple[int, float] | None"]
_duplicate_lookup: list[DuplicateLookup] = []


def register_duplicate_lookup(lookup: DuplicateLookup) -> None:
    """Called by the ``topics`` app's ``ready()``: how to find the case a text repeats."""
    _duplicate_lookup[:] = [lookup]


def find_duplicate(masked_title: str, masked_body: str) -> Duplicate | None:
    """The likely duplicate of a masked text, if the ``topics`` app is installed and finds one."""
    if not _duplicate_lookup:
        return None
    found = _duplicate_lookup[0](masked_title, masked_body)
    return Duplicate(found[0], found[1]) if found else None
