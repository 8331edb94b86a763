"""Results of a questionnaire: response rate, NPS, CSAT, CES, a distribution per question, cross-tabs and trends.

Everything is counted by the database in a few grouped queries (``rollup``), never response by response, so one
questionnaire with 100,000 responses rolls up in about a second (bench: ``fankui bench questionnaires``).

Answers are read against their own version: counts are grouped by question *id* (each version has its own rows) and
labelled with that version's own texts and choices; a question is then followed across versions by its ``key``
(which the builder's copy keeps), so a choice renamed or removed in version 2 still shows its version 1 answers
under the label they were given.

Definitions (docs/questionnaires.md):

- NPS: the share of promoters (9-10) minus the share of detractors (0-6), -100..100, over the question's answers.
- CSAT: the share of 4 and 5 among the 1-5 answers, in percent.
- CES: the mean of the 1-7 answers. A rating scale: the mean of its own range.
- Response rate: invitations answered / invitations made (``Invitation.used_at`` is set by the one response an
  invitation can have, also when the questionnaire is anonymous). Public-link responses are counted apart and have
  no rate: the public page records nothing on a GET (mail scanners open links), so there are no views to divide by.
- A wave is a *version*: the builder starts a new version when the questions change after responses came in, so
  "the same survey, changed" shows version against version. Beside it a monthly trend of the same figures.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core.errors import ValidationFailed

from ..models import NUMBER_KINDS, Answer, Axis, Invitation, Kind, Question, Questionnaire, Response, Version

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
# The questions whose figure heads the page, in this order.
HEADLINE_KINDS = (Kind.NPS, Kind.CSAT, Kind.CES)


# --- Figures ------------------------------------------------------------------------------------------------------
def nps(counts: dict[int, int]) -> float | None:
    """NPS of {score: answers}: promoters (9-10) minus detractors (0-6), in points -100..100; None without answers."""
    total = sum(counts.values())
    if not total:
        return None
    promoters = sum(n for score, n in counts.items() if score >= PROMOTER_MIN)
    detractors = sum(n for score, n in counts.items() if score <= DETRACTOR_MAX)
    return round(100.0 * (promoters - detractors) / total, 1)


def csat(counts: dict[int, int]) -> float | None:
    """CSAT of {score 1-5: answers}: the share of 4 and 5, in percent."""
    total = sum(counts.values())
    if not total:
        return None
    return round(100.0 * sum(n for score, n in counts.items() if score >= 4) / total, 1)


def mean(counts: dict[int, int]) -> float | None:
    total = sum(counts.values())
    if not total:
        return None
    return round(sum(score * n for score, n in counts.items()) / total, 2)


def figure(kind: str, counts: dict[int, int]) -> float | None:
    """The one figure that sums a number question up: NPS, CSAT or a mean (CES, rating scale)."""
    if kind == Kind.NPS:
        return nps(counts)
    if kind == Kind.CSAT:
        return csat(counts)
    return mean(counts)


def figure_name(kind: str) -> str:
    names: dict[str, str] = {Kind.NPS: _("NPS"), Kind.CSAT: _("CSAT %"), Kind.CES: _("CES mean")}
    return names.get(kind, _("Mean"))


# --- Filters ------------------------------------------------------------------------------------------------------
# The days a filter may name. Beyond them a day is a typo, and at the calendar's ends it cannot even be counted from:
# 9999-12-31 has no next day to end the range, and 0001-01-01 in local time is before the first day in UTC.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


@dataclass(frozen=True)
class Filters:
    """Which responses count: one version (None: all), a day range (local days, both included), a channel.
    ``ValidationFailed`` (by field) for a day outside ``FIRST_DAY``..``LAST_DAY`` or a range that ends before it
    starts."""

    version: int | None = None
    since: date | None = None
    until: date | None = None
    via: str = ""

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        for name in ("since", "until"):
            day = getattr(self, name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                errors[name] = [
                    _("Please give a day from %(first)s to %(last)s.")
                    % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
                ]
        if not errors and self.since and self.until and self.until < self.since:
            errors["until"] = [_("The end date must not be before the start date.")]
        if errors:
            raise ValidationFailed(errors)

    @property
    def empty(self) -> bool:
        return self.version is None and self.since is None and self.until is None and not self.via

    def responses(self, questionnaire: Questionnaire) -> QuerySet[Response]:
        rows = Response.objects.filter(questionnaire=questionnaire)
        return rows.filter(self._q(""))

    def answers(self, question_ids: Iterable[int]) -> QuerySet[Answer]:
        rows = Answer.objects.filter(question_id__in=list(question_ids))
        if self.since or self.until or self.via:
            rows = rows.filter(self._q("response__"))
        return rows.order_by()

    def _q(self, prefix: str) -> Q:
        q = Q()
        if self.version is not None:
            q &= Q(**{f"{prefix}version__number": self.version})
        if self.since:
            q &= Q(**{f"{prefix}submitted_at__gte": _start(self.since)})
        if self.until:
            q &= Q(**{f"{prefix}submitted_at__lt": _start(self.until, 1)})
        if self.via:
            q &= Q(**{f"{prefix}via": self.via})
        return q


def _start(day: date, plus: int = 0) -> datetime:
    from datetime import timedelta

    return timezone.make_aware(datetime.combine(day + timedelta(days=plus), time.min))


# --- The rollup ---------------------------------------------------------------------------------------------------
@dataclass
class Bar:
    label: str
    count: int
    share: float  # percent of the question's answers (respondents for a multiple choice)
    score: int | None = None


@dataclass
class VersionPart:
    """One question as one version asked it, with its own answers."""

    number: int
    question: Question
    answered: int


@dataclass
class QuestionResult:
    key: str
    kind: str
    text: str  # the newest version's wording
    answered: int = 0  # responses that answered it
    bars: list[Bar] = field(default_factory=list)
    # A matrix: one list of bars per row.
    rows: list[tuple[str, list[Bar]]] = field(default_factory=list)
    figure: float | None = None
    figure_name: str = ""
    counts: dict[int, int] = field(default_factory=dict)  # a number question's {score: answers}
    versions: list[VersionPart] = field(default_factory=list)
    texts: int = 0  # a free-text question's answers

    @property
    def is_number(self) -> bool:
        return self.kind in NUMBER_KINDS

    @property
    def is_choice(self) -> bool:
        return self.kind in (Kind.SINGLE, Kind.MULTIPLE)

    @property
    def low_share(self) -> float:
        """Detractors (NPS) or the two lowest (CSAT) in percent: the part an alert follows up."""
        total = sum(self.counts.values())
        if not total:
            return 0.0
        if self.kind == Kind.NPS:
            low = sum(n for s, n in self.counts.items() if s <= DETRACTOR_MAX)
        else:
            low = sum(n for s, n in self.counts.items() if s <= 2)
        return round(100.0 * low / total, 1)


@dataclass
class Wave:
    """The headline figures of one version (or one month, in the trend)."""

    label: str
    responses: int
    figures: dict[str, float | None]  # question key -> figure


@dataclass
class Results:
    questionnaire: Questionnaire
    filters: Filters
    responses: int
    by_via: dict[str, int]
    invitations: int
    invitations_answered: int
    questions: list[QuestionResult]
    waves: list[Wave]
    months: list[Wave]
    headline: list[QuestionResult]
    versions: list[int]

    @property
    def response_rate(self) -> float | None:
        """Invitations answered / invitations made, in percent; None without invitations."""
        if not self.invitations:
            return None
        return round(100.0 * self.invitations_answered / self.invitations, 1)

    def question(self, key: str) -> QuestionResult | None:
        return next((q for q in self.questions if q.key == key), None)


def all_questions(questionnaire: Questionnaire) -> list[Question]:
    """Every version's questions with their choices (version order, then page and position)."""
    questions = list(
        Question.objects.filter(version__questionnaire=questionnaire)
        .select_related("version", "page")
        .prefetch_related("choices")
        .order_by("version__number", "page__position", "position")
    )
    return questions


def _by_key(questions: list[Question]) -> dict[str, list[Question]]:
    """Questions grouped by key, the newest version's first; keys in the newest version's order, then the keys
    only older versions had."""
    grouped: dict[str, list[Question]] = defaultdict(list)
    for question in sorted(questions, key=lambda q: -q.version.number):
        grouped[question.key].append(question)
    newest = max((q.version.number for q in questions), default=0)
    order = [q.key for q in questions if q.version.number == newest]
    order += [k for k in dict.fromkeys(q.key for q in reversed(questions)) if k not in order]
    return {key: grouped[key] for key in order}


def rollup(questionnaire: Questionnaire, filters: Filters | None = None) -> Results:
    """Every figure of the results page, in five grouped queries whatever the number of responses."""
    filters = filters or Filters()
    questions = all_questions(questionnaire)
    if filters.version is not None:
        questions = [q for q in questions if q.version.number == filters.version]
    by_id = {q.pk: q for q in questions}
    # 1. The responses per channel and version, with the first and the last (one query).
    numbers = dict(Version.objects.filter(questionnaire=questionnaire).values_list("id", "number"))
    by_via: dict[str, int] = defaultdict(int)
    per_version: dict[int, int] = defaultdict(int)
    span: list[datetime] = []
    for via, version_id, n, first, last in (
        filters.responses(questionnaire)
        .order_by()
        .values_list("via", "version_id")
        .annotate(n=Count("id"), first=Min("submitted_at"), last=Max("submitted_at"))
        .values_list("via", "version_id", "n", "first", "last")
    ):
        by_via[via] += n
        per_version[numbers[version_id]] += n
        span += [first, last]
    responses = sum(by_via.values())
    # 2. Every answer counted by (question, matrix row, choice, number): choices, numbers and texts at once.
    cells: dict[int, list[tuple[int | None, int | None, int | None, int]]] = defaultdict(list)
    grouped = (
        filters.answers(by_id)
        .values_list("question_id", "row_id", "choice_id", "number")
        .annotate(n=Count("id"))
        .values_list("question_id", "row_id", "choice_id", "number", "n")
    )
    for question_id, row_id, choice_id, number, n in grouped:
        cells[question_id].append((row_id, choice_id, number, n))
    # 3. Respondents of each multiple choice and matrix (a respondent has several rows there).
    several = [q.pk for q in questions if q.kind in (Kind.MULTIPLE, Kind.MATRIX)]
    respondents: dict[int, int] = {}
    if several:
        respondents = dict(
            filters.answers(several)
            .values_list("question_id")
            .annotate(n=Count("response_id", distinct=True))
            .values_list("question_id", "n")
        )
    results = [_question_result(key, group, cells, respondents, filters) for key, group in _by_key(questions).items()]
    headline = [r for kind in HEADLINE_KINDS for r in results if r.kind == kind]
    # 4. The invitations made and answered (the response rate).
    invitations = Invitation.objects.filter(questionnaire=questionnaire).aggregate(
        made=Count("id"), answered=Count("id", filter=Q(used_at__isnull=False))
    )
    # Waves (versions) from what was counted already; 5. the months of the headline questions.
    versions = sorted({q.version.number for q in questions})
    waves = _waves(per_version, headline, cells)
    months = _months(questionnaire, filters, headline, by_id, (min(span), max(span)) if span else None)
    return Results(
        questionnaire=questionnaire,
        filters=filters,
        responses=responses,
        by_via=dict(by_via),
        invitations=invitations["made"] or 0,
        invitations_answered=invitations["answered"] or 0,
        questions=results,
        waves=waves,
        months=months,
        headline=headline,
        versions=versions,
    )


def _question_result(
    key: str,
    group: list[Question],
    cells: dict[int, list[tuple[int | None, int | None, int | None, int]]],
    respondents: dict[int, int],
    filters: Filters,
) -> QuestionResult:
    newest = group[0]
    result = QuestionResult(key=key, kind=newest.kind, text=newest.text)
    counts: dict[int, int] = defaultdict(int)
    # Choice bars by label: a choice of version 1 and its copy in version 2 share a key, so they add up; a label
    # changed between versions shows the newest one.
    choice_bars: dict[str, Bar] = {}
    row_bars: dict[str, dict[str, Bar]] = {}
    row_labels: dict[str, str] = {}
    for question in group:
        choices = {c.pk: c for c in question.choices.all()}
        answered = 0
        for row_id, choice_id, number, n in cells.get(question.pk, []):
            if number is not None:
                counts[number] += n
                answered += n
            elif choice_id is not None and row_id is None:
                choice = choices.get(choice_id)
                if choice is None:
                    continue
                bar = choice_bars.setdefault(choice.key, Bar(choice.label, 0, 0.0, choice.score))
                bar.count += n
                answered += n
            elif row_id is not None:
                row, choice = choices.get(row_id), choices.get(choice_id)  # type: ignore[arg-type]
                if row is None or choice is None:
                    continue
                row_labels.setdefault(row.key, row.label)
                bars = row_bars.setdefault(row.key, {})
                bar = bars.setdefault(choice.key, Bar(choice.label, 0, 0.0, choice.score))
                bar.count += n
            else:
                result.texts += n
                answered += n
        if question.kind in (Kind.MULTIPLE, Kind.MATRIX):
            answered = respondents.get(question.pk, 0)
        result.versions.append(VersionPart(question.version.number, question, answered))
        result.answered += answered
        # Choices that nobody chose still show, in the newest version's order.
    for question in group[:1]:
        for choice in question.choices.all():
            if choice.axis == Axis.OPTION and question.kind in (Kind.SINGLE, Kind.MULTIPLE):
                choice_bars.setdefault(choice.key, Bar(choice.label, 0, 0.0, choice.score))
    if newest.kind in NUMBER_KINDS:
        low, high = newest.range
        scores = sorted(set(range(low, high + 1)) | set(counts))
        result.counts = dict(counts)
        result.bars = [Bar(str(s), counts.get(s, 0), 0.0, s) for s in scores]
        result.figure = figure(newest.kind, result.counts)
        result.figure_name = figure_name(newest.kind)
    elif newest.kind in (Kind.SINGLE, Kind.MULTIPLE):
        # The newest version's order, then the choices only older versions had.
        order = [c.key for c in newest.choices.all() if c.axis == Axis.OPTION and c.key in choice_bars]
        order += [k for k in choice_bars if k not in order]
        result.bars = [choice_bars[k] for k in order]
        scored = {b.score: b.count for b in result.bars if b.score is not None}
        if scored and newest.kind == Kind.SINGLE:
            result.figure, result.figure_name = mean(scored), _("Mean score")
    elif newest.kind == Kind.MATRIX:
        positions = {c.key: (c.axis, c.position) for q in reversed(group) for c in q.choices.all()}
        result.rows = [
            (row_labels[k], [bars[c] for c in sorted(bars, key=lambda c: positions.get(c, ("", 0)))])
            for k, bars in sorted(row_bars.items(), key=lambda item: positions.get(item[0], ("", 0)))
        ]
    base = result.answered
    for bar in result.bars:
        bar.share = round(100.0 * bar.count / base, 1) if base else 0.0
    for _label, row_bars_of in result.rows:
        total = sum(b.count for b in row_bars_of)
        for bar in row_bars_of:
            bar.share = round(100.0 * bar.count / total, 1) if total else 0.0
    return result


def _waves(
    per_version: dict[int, int],
    headline: list[QuestionResult],
    cells: dict[int, list[tuple[int | None, int | None, int | None, int]]],
) -> list[Wave]:
    waves = []
    for number in sorted(per_version):
        figures: dict[str, float | None] = {}
        for result in headline:
            part = next((v for v in result.versions if v.number == number), None)
            counts: dict[int, int] = defaultdict(int)
            if part is not None:
                for _row, _choice, score, n in cells.get(part.question.pk, []):
                    if score is not None:
                        counts[score] += n
            figures[result.key] = figure(result.kind, counts) if part is not None else None
        waves.append(Wave(_("Version %(n)d") % {"n": number}, per_version[number], figures))
    return waves


MONTHS = 24


def _month_starts(first: datetime, last: datetime) -> list[datetime]:
    """The local starts of the months from ``first`` to ``last`` (the newest ``MONTHS`` of them), and the next one."""
    start = timezone.localtime(first).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = timezone.localtime(last)
    starts = [start]
    while starts[-1] <= end:
        current = starts[-1]
        year, month = (current.year + 1, 1) if current.month == 12 else (current.year, current.month + 1)
        starts.append(timezone.make_aware(datetime(year, month, 1)))
    return starts[-(MONTHS + 1) :]


def _months(
    questionnaire: Questionnaire,
    filters: Filters,
    headline: list[QuestionResult],
    by_id: dict[int, Question],
    span: tuple[datetime, datetime] | None,
) -> list[Wave]:
    """The first headline figure by calendar month (local time; the newest ``MONTHS``). The month of each answer is
    found by comparing its response's time with the months' starts (a CASE in SQL): a date function per row
    (TruncMonth) costs a Python call per row on SQLite, seconds over 100,000 responses."""
    # The first headline question only (NPS when there is one): each more would cost as much again.
    ids = [v.question.pk for v in headline[0].versions] if headline else []
    if not ids:
        return []
    if span is None:
        return []
    starts = _month_starts(*span)

    def month_of(field: str) -> Case:
        return Case(
            *(When(**{f"{field}__lt": starts[i + 1]}, then=Value(i)) for i in range(len(starts) - 1)),
            default=Value(-1),
            output_field=IntegerField(),
        )

    # The responses' id range in each month: responses are stored in time order, so the ranges do not overlap and
    # an answer's month follows from its response's id, without joining the responses (the fast path). Should
    # they overlap (rows written out of order), the answers are joined to their responses' times instead.
    ranges = sorted(
        filters.responses(questionnaire)
        .filter(submitted_at__gte=starts[0])
        .order_by()
        .annotate(month=month_of("submitted_at"))
        .values_list("month")
        .annotate(low=Min("id"), high=Max("id"))
        .values_list("month", "low", "high")
    )
    ordered = all(a[2] < b[1] for a, b in itertools.pairwise(ranges))
    answers = filters.answers(ids).filter(number__isnull=False)
    if ordered and ranges:
        bucket = Case(
            *(When(response_id__lte=high, then=Value(month)) for month, _low, high in ranges),
            default=Value(-1),
            output_field=IntegerField(),
        )
        answers = answers.filter(response_id__gte=ranges[0][1], response_id__lte=ranges[-1][2])
    else:
        bucket = month_of("response__submitted_at")
        answers = answers.filter(response__submitted_at__gte=starts[0])
    key_of = {pk: by_id[pk].key for pk in ids}
    counted: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    people: dict[int, int] = defaultdict(int)
    first_ids = {v.question.pk for v in headline[0].versions}
    rows = (
        answers.annotate(month=bucket)
        .values_list("month", "question_id", "number")
        .annotate(n=Count("id"))
        .values_list("month", "question_id", "number", "n")
    )
    for month, question_id, number, n in rows:
        if month < 0 or number is None:
            continue
        counted[month][key_of[question_id]][number] += n
        if question_id in first_ids:
            people[month] += n
    return [
        Wave(
            starts[month].strftime("%Y-%m"),
            people[month],
            {r.key: figure(r.kind, dict(counted[month][r.key])) for r in headline[:1]},
        )
        for month in sorted(counted)
    ]


# --- Versions, for the page -----------------------------------------------------------------------------------------
def version_numbers(questionnaire: Questionnaire) -> list[int]:
    return list(Version.objects.filter(questionnaire=questionnaire).order_by("number").values_list("number", flat=True))
