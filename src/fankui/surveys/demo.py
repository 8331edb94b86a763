"""一次一评 for the demo: one service hall with a window for each of a few bureaus, a member of staff at each, and
two months of visitors' ratings, so that the windows page, its rates and its posters have something to show."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from fankui.accounts.models import Department
from fankui.core.vocab import Channel

from .models import Rating, RatingKind, ServiceHall, ServicePoint, StaffBadge
from .services import tallies

WINDOWS = 4
DAYS = 60
NAMES = ("李红", "王伟", "张敏", "刘洋", "陈静", "杨帆")
# Most visitors are satisfied; a few are not (the weights of 5, 4, 3, 2, 1).
WEIGHTS = (55, 25, 10, 6, 4)


def install(out: Callable[[str], None], today: dt.date, seed: int = 16) -> int:
    """Make the hall, its windows and staff, and their ratings; returns how many ratings. Does nothing when a hall
    exists already."""
    if ServiceHall.objects.exists():
        return 0
    rng = random.Random(seed)
    bureaus = list(
        Department.objects.filter(parent__is_dispatch_centre=True, is_dispatch_centre=False).order_by("sort_order")[
            :WINDOWS
        ]
    )
    if not bureaus:
        return 0
    hall = ServiceHall.objects.create(name="市民中心政务服务大厅", address="市民中心一楼")
    ratings = []
    tz = timezone.get_current_timezone()
    for n, bureau in enumerate(bureaus, start=1):
        point = ServicePoint.objects.create(hall=hall, department=bureau, number=f"A{n:02}", name="综合受理")
        badge = StaffBadge.objects.create(
            name=NAMES[n % len(NAMES)], number=f"{1000 + n}", department=bureau, service_point=point
        )
        for day in range(DAYS, 0, -1):
            date = today - dt.timedelta(days=day)
            if date.weekday() >= 5:
                continue
            for _ in range(rng.randint(0, 6)):
                at = dt.datetime.combine(date, dt.time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=tz)
                level = rng.choices((5, 4, 3, 2, 1), WEIGHTS)[0]
                person = rng.random() < 0.5
                ratings.append(
                    Rating(
                        kind=RatingKind.WINDOW,
                        service_point=point,
                        staff=badge if person else None,
                        department=bureau,
                        level=level,
                        channel=Channel.WEB,
                        created_at=at,
                    )
                )
    Rating.objects.bulk_create(ratings, batch_size=1000)
    tallies.rebuild()  # the daily counts the rates read, recounted after the bulk insert
    out(f"  service windows: {len(bureaus)} in {hall.name}, {len(ratings)} visitors' ratings (一次一评)")
    return len(ratings)
