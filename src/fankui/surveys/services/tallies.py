"""The daily counts of ratings (``RatingDay``), kept by every service that writes a rating, in its transaction.

``counted(rating, before=None)``: a rating was written (``before`` None) or changed (``before`` is a copy of it as
it was): its day's row gets the difference. What a rating adds to its row depends only on its own columns
(level, excluded, real_name, rectified_at, followed_up_at); its key (day, kind, department, category, window,
person, level) is fixed when it is written, so a change moves counts within one row and two changes never lock two
rows in opposite orders. ``rebuild()`` recounts everything from the ratings: the migration that created the table,
the benchmark's bulk load and the demo's bulk insert use it (docs/decisions/0022-rates-read-daily-counts.md).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Rating, RatingDay
from ..rates import COUNTS, counts

# The key of a row besides its day: the names of ``Rating``'s and ``RatingDay``'s fields (relations by their ids).
RELATIONS = ("department", "category", "service_point", "staff")
KEY = ("kind", *(f"{name}_id" for name in RELATIONS), "level")
BATCH = 5000


def contribution(rating: Rating) -> dict[str, int]:
    """What ``rating`` adds to the counts of its row."""
    valid = not rating.excluded
    return {
        "ratings": 1,
        "excluded": int(rating.excluded),
        "real_name": int(valid and rating.real_name),
        "rectified": int(valid and rating.rectified_at is not None),
        "followed_up": int(valid and rating.real_name and rating.followed_up_at is not None),
    }


def counted(rating: Rating, before: Rating | None = None) -> None:
    """Add ``rating`` to its day's counts, or, with ``before`` (the same rating before the change), the change."""
    after = contribution(rating)
    old = contribution(before) if before is not None else dict.fromkeys(COUNTS, 0)
    change = {name: after[name] - old[name] for name in COUNTS if after[name] != old[name]}
    if not change:
        return
    key: dict[str, Any] = {name: getattr(rating, name) for name in KEY}
    key["day"] = timezone.localdate(rating.created_at, timezone.get_default_timezone())
    row = RatingDay.objects.filter(**key).order_by("pk").values_list("pk", flat=True).first()
    if row is None:
        # Two first ratings of one key at once make two rows: harmless, every reader sums the rows of a key.
        RatingDay.objects.create(**key, **change)
    else:
        RatingDay.objects.filter(pk=row).update(**{name: F(name) + n for name, n in change.items()})


def rebuild(rating_model: Any = Rating, day_model: Any = RatingDay) -> int:
    """Recount every day from the ratings (the models may be a migration's); returns the rows written."""
    day_model.objects.all().delete()
    rows = (
        rating_model.objects.annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "kind", *RELATIONS, "level")
        .annotate(**counts())
        .order_by()
    )
    batch: list[Any] = []
    written = 0
    for row in rows.iterator(chunk_size=BATCH):
        fields = {f"{k}_id" if k in RELATIONS else k.removeprefix("n_"): v for k, v in row.items()}
        batch.append(day_model(**fields))
        if len(batch) == BATCH:
            day_model.objects.bulk_create(batch)
            written, batch = written + BATCH, []
    day_model.objects.bulk_create(batch)
    return written + len(batch)
