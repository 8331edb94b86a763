"""Load the demo: an organisation, the category tree, thousands of closed cases with their real replies, and a few
hundred open ones in every workflow state. Everything is written through the services (intake.submit,
cases.replay, ...), so the demo's data is exactly what the product itself would have written.

Only an empty database (no case, no department) is loaded, so ``make run`` may call this every time.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fankui.accounts.models import Department
from fankui.cases import services as case_services
from fankui.cases.models import Case, Category
from fankui.cases.services import classification, history
from fankui.cases.services.history import Step
from fankui.cases.services.receiving import receive
from fankui.cases.workflow import Action, State
from fankui.core.vocab import Channel
from fankui.intake.models import MAX_TITLE_CHARS
from fankui.intake.services import SubmissionInput
from fankui.surveys.services import replay_rating

from . import histories, people, sources, synthetic
from .heuristics import CategoryMatcher, kind_of
from .people import Organisation
from .sources import Message

SEED = 12345
CHUNK = 500
OPEN_CASES = 400
T = TypeVar("T")

CHANNELS = (Channel.WEB, Channel.PHONE, Channel.EMAIL, Channel.API)
CHANNEL_WEIGHTS = (55, 32, 8, 5)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"


@dataclass
class Summary:
    source: str
    closed: int = 0
    open: int = 0
    states: Counter[str] = field(default_factory=Counter)
    departments: int = 0
    categories: int = 0
    users_created: set[str] = field(default_factory=set)
    seconds: float = 0.0


def database_is_empty() -> bool:
    return not Case.objects.exists() and not Department.objects.exists()


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Contacts:
    """Made-up contact details: 138-0000-xxxx numbers and example.com addresses, clearly not anyone's."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0

    def draw(self, *, anonymous_share: float, phone_share: float, email_share: float) -> dict[str, object]:
        rng = self.rng
        if rng.random() < anonymous_share:
            return {"anonymous": True}
        self.serial += 1
        contact: dict[str, object] = {"contact_name": rng.choice(SURNAMES) + rng.choice(("先生", "女士"))}
        if rng.random() < phone_share:
            contact["contact_phone"] = f"1380000{self.serial % 10000:04d}"
        if rng.random() < email_share:
            contact["contact_email"] = f"demo{self.serial:04d}@example.com"
        return contact


class Loader:
    def __init__(self, out: Callable[[str], None], *, seed: int = SEED) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.window = settings.FANKUI_RATING_WINDOW_DAYS
        self.contacts = Contacts(self.rng)

    # --- Setup ---------------------------------------------------------------------------------------------
    def setup(self, taxonomy: Sequence[Sequence[str]], summary: Summary) -> None:
        with transaction.atomic():
            self.org: Organisation = people.create_organisation()
            paths = classification.load_category_tree(taxonomy, departments=self.org.by_category)
        self.categories = {path[0]: pk for path, pk in paths.items() if len(path) == 1}
        self.matcher = CategoryMatcher(taxonomy, [bureau.category for bureau in people.BUREAUS])
        summary.departments = len(self.org.departments)
        summary.categories = Category.objects.count()
        summary.users_created = self.org.created

    def crew(self, message: Message) -> tuple[str, int | None, histories.Crew]:
        """The kind, the category and the people of a case, from its text."""
        category = self.matcher.best(message.title, message.body)
        lead = self.org.by_category.get(category) or self.org.departments[people.FALLBACK_BUREAU]
        if lead.code == people.FALLBACK_BUREAU and "物业" in message.title:
            lead = self.org.departments[people.PROPERTY_UNIT]
        wrong = self.rng.choice([d for d in self.org.by_category.values() if d.pk != lead.pk])
        crew = histories.Crew(
            dispatcher=self.org.dispatcher,
            supervisor=self.org.supervisor,
            lead=lead,
            handler=self.org.handlers.get(lead.pk),
            wrong=wrong,
            wrong_handler=self.org.handlers.get(wrong.pk),
        )
        return kind_of(message.title), self.categories.get(category), crew

    def open_case(
        self, message: Message, kind: str, category: int | None, received: datetime, contact: dict[str, object]
    ) -> Case:
        channel = self.rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        data = SubmissionInput(
            body=message.body[: settings.FANKUI_MAX_BODY_CHARS],
            title=message.title[:MAX_TITLE_CHARS],
            kind=kind,
            category=category,
            channel=channel,
            received_at=received,
            external_id=message.external_id,
            # The demo's history happened in the past: its submitters are not sent receipts now.
            receipt=False,
            **contact,  # type: ignore[arg-type]
        )
        case, _ = receive(data)
        return case

    def replay(self, case: Case, steps: list[Step]) -> None:
        history.replay(case, steps)
        reply_id = None
        for step in steps:
            if step.action == Action.REPLY:
                reply_id = step.data.get("reply")
            elif step.action in (Action.RATE_SATISFIED, Action.RATE_UNSATISFIED) and reply_id is not None:
                replay_rating(case, reply_id, step.data["rating"], step.at, step.message)

    # --- Closed cases ----------------------------------------------------------------------------------------
    def load_closed(self, messages: Sequence[Message], summary: Summary) -> None:
        done = 0
        for chunk in chunks(messages, CHUNK):
            with transaction.atomic():
                for message in chunk:
                    assert message.received_at is not None and message.replied_at is not None
                    kind, category, crew = self.crew(message)
                    contact = self.contacts.draw(anonymous_share=0.03, phone_share=0.5, email_share=0.15)
                    case = self.open_case(message, kind, category, message.received_at, contact)
                    steps = histories.closed_history(
                        self.rng,
                        crew,
                        message.received_at,
                        message.replied_at,
                        message.reply[: case_services.MAX_TEXT],
                        message.title,
                        self.window,
                    )
                    self.replay(case, steps)
                    summary.states[case.state] += 1
            done += len(chunk)
            summary.closed = done
            self.out(f"  closed cases: {done}/{len(messages)}")

    # --- Open cases ------------------------------------------------------------------------------------------
    def load_open(self, messages: Sequence[Message], pool: Sequence[Message], summary: Summary) -> None:
        states = histories.open_states(self.rng, len(messages))
        plain = [(m, s) for m, s in zip(messages, states, strict=True) if s != State.MERGED]
        merged = len(messages) - len(plain)
        primaries: list[tuple[Case, str]] = []
        with transaction.atomic():
            for message, state in plain:
                kind, category, crew = self.crew(message)
                moves = histories.moves_to(self.rng, state, crew, message.title, self.window)
                received, span = histories.recent_start(self.rng, state, moves, self.now)
                contact = self.contacts.draw(anonymous_share=0.06, phone_share=0.7, email_share=0.25)
                case = self.open_case(message, kind, category, received, contact)
                self.replay(case, histories.lay_out(received, moves, within=span))
                summary.states[case.state] += 1
                takes_duplicates = case.state not in (State.REJECTED, State.MERGED, State.SPAM)
                if takes_duplicates and received < self.now - timedelta(days=1):
                    primaries.append((case, message.title))
            for message, (primary, _) in self.duplicates(pool or messages, primaries, merged):
                kind, category, crew = self.crew(message)
                moves = histories.merge_moves(self.rng, crew, primary.pk, primary.number)
                # The duplicate arrives after its primary, within a few days of it.
                room = min(timedelta(days=3), self.now - primary.created_at - timedelta(hours=12))
                received = primary.created_at + timedelta(minutes=10) + room * self.rng.random()
                contact = self.contacts.draw(anonymous_share=0.06, phone_share=0.7, email_share=0.25)
                case = self.open_case(message, kind, category, received, contact)
                self.replay(case, histories.lay_out(received, moves, within=timedelta(hours=6)))
                summary.states[case.state] += 1
        summary.open = len(plain) + merged
        self.out(f"  open cases: {summary.open}")

    def duplicates(
        self, pool: Sequence[Message], primaries: list[tuple[Case, str]], count: int
    ) -> list[tuple[Message, tuple[Case, str]]]:
        """For each of ``count`` merged cases, a message from ``pool`` and the primary whose title is most like
        its own (shared character pairs), best pairs first. Without a pool, a primary's message sent again."""
        if not primaries or count == 0:
            return []
        index: dict[str, list[int]] = {}
        for number, (_, title) in enumerate(primaries):
            for pair in _pairs(title):
                index.setdefault(pair, []).append(number)
        scored = []
        for message in pool:
            shared: Counter[int] = Counter()
            pairs = _pairs(message.title)
            for pair in pairs:
                shared.update(index.get(pair, ()))
            for number, hits in shared.most_common(3):
                title = primaries[number][1]
                if title != message.title:
                    # Jaccard similarity of the two titles' character pairs.
                    scored.append((hits / (len(pairs) + len(_pairs(title)) - hits), message, number))
        scored.sort(key=lambda item: -item[0])
        chosen: list[tuple[Message, tuple[Case, str]]] = []
        used: set[int] = set()
        taken: Counter[int] = Counter()
        for _, message, number in scored:
            # A few duplicates per primary at most, so the merges do not all pile onto one popular title.
            if len(chosen) == count:
                break
            if id(message) in used or taken[number] >= 3:
                continue
            used.add(id(message))
            taken[number] += 1
            chosen.append((message, primaries[number]))
        while len(chosen) < count:
            primary = self.rng.choice(primaries)
            case = primary[0]
            again = Message("again", f"{case.pk}-{len(chosen)}", "再次反映：" + primary[1], case.submission.body)
            chosen.append((again, primary))
        return chosen


def _pairs(title: str) -> set[str]:
    return {title[i : i + 2] for i in range(len(title) - 1)}


def pick(
    rng: random.Random, unanswered: Sequence[Message], hot: Sequence[Message], count: int
) -> tuple[list[Message], list[Message]]:
    """The messages of the open cases, and the pool their duplicates are drawn from. An eighth come from the
    hot-issue file when it is there: its messages come in clusters about one issue, so those cases get real
    duplicates to be merged into them."""
    from_hot = min(len(hot), count // 8)
    chosen = rng.sample(list(unanswered), min(count - from_hot, len(unanswered)))
    chosen += rng.sample(list(hot), from_hot)
    rng.shuffle(chosen)
    taken = {id(message) for message in chosen}
    return chosen, [message for message in [*unanswered, *hot] if id(message) not in taken]


def close_the_loop(out: Callable[[str], None]) -> None:
    """Analyse the demo cases now (the worker would, a minute later) so that hot topics exist, then make the
    improvement actions the public board shows."""
    from django.utils import timezone

    from fankui.actions.demo import install as install_actions
    from fankui.analysis.pipeline import analyse_pending

    out("Analysing the demo cases (masking, classification, duplicates, hot topics)...")
    analysed = analyse_pending()
    out(f"  analysed: {analysed}")
    install_actions(out, timezone.localdate())
    from fankui.surveys.demo import install as install_windows

    install_windows(out, timezone.localdate())


def load(
    out: Callable[[str], None],
    *,
    data_dir: str | None = None,
    force_small: bool = False,
    limit: int | None = None,
    open_cases: int = OPEN_CASES,
) -> Summary:
    """Load the demo into an empty database. Raises sources.DataMissing when a named data folder lacks files."""
    started = time.perf_counter()
    loader = Loader(out)
    folder = None if force_small else sources.find_data_dir(data_dir)
    if folder is not None:
        taxonomy: Sequence[Sequence[str]] = sources.taxonomy(folder)
        answered = sources.answered_messages(folder, limit)
        unanswered = sources.unanswered_messages(folder)
        hot = sources.unanswered_messages(folder, sources.HOT)
        summary = Summary(source=f"real messages from {folder}")
        out(f"Loading the demo from {folder}: {len(answered)} answered messages with their real replies.")
        if not unanswered:
            out("  (no gov_messages_unlabeled.csv there: the open cases use built-in synthetic texts)")
            unanswered = synthetic.build(loader.rng, loader.now, answered=0, unanswered=open_cases * 2).unanswered
    else:
        small = synthetic.build(loader.rng, loader.now)
        taxonomy, answered, unanswered, hot = small.taxonomy, small.answered, small.unanswered, []
        answered = answered[:limit]
        open_cases = min(open_cases, len(unanswered) // 2)
        summary = Summary(source="SYNTHETIC built-in templates")
        reason = (
            "--force-small was given"
            if force_small
            else "no real data folder was found (looked at FANKUI_DEMO_DATA and shared/data beside the repository)"
        )
        out(
            f"NOTE: {reason}.\nLoading a SMALLER SYNTHETIC demo set made from built-in Chinese templates "
            f"(not real messages): {len(answered)} closed cases and up to {open_cases} open ones."
        )
    if limit is not None:
        open_cases = min(open_cases, limit)
    loader.setup(taxonomy, summary)
    chosen, pool = pick(loader.rng, unanswered, hot, open_cases)
    loader.load_closed(answered, summary)
    loader.load_open(chosen, pool, summary)
    from fankui.sla.history import install as install_deadlines  # SLA policies and the demo cases' clocks

    install_deadlines(out)
    close_the_loop(out)
    summary.seconds = time.perf_counter() - started
    return summary
