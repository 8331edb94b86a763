"""The analysis report laid out as sections of tables, the one shape every format renders, plus the definitions
of every figure (also in docs/insights.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fankui.surveys.rates import Tally

from .goodbad import GoodBad
from .queries import Rate, Report, Row
from .tables import Chart, Section, Table


def _breakdown(title: str, rows: list[Row], name: str) -> Table:
    return Table(
        title,
        [name, _("This period"), _("Previous period"), _("Change")],
        [[r.label, r.count, r.previous, r.change] for r in rows],
        chart=Chart("bar"),
    )


def _rate_rows(rates: list[Rate]) -> list[list[Any]]:
    return [
        [
            r.label,
            r.value,
            r.numerator,
            r.denominator,
            r.previous_value,
            r.previous_numerator,
            r.previous_denominator,
            r.change,
        ]
        if r.available
        else [r.label, *[None] * 7]  # no figure rather than a made-up 0 of 0
        for r in rates
    ]


def _rates_table(title: str, rates: list[Rate]) -> Table:
    headers = [
        _("Rate"),
        _("This period (%)"),
        _("Numerator"),
        _("Denominator"),
        _("Previous period (%)"),
        _("Previous numerator"),
        _("Previous denominator"),
        _("Change (points)"),
    ]
    return Table(title, headers, _rate_rows(rates), percent_columns=(1, 4))


def summary(report: Report) -> Section:
    v = report.volume
    figures = Table(
        _("Key figures"),
        [_("Figure"), _("This period"), _("Previous period"), _("Change")],
        [
            [_("Cases received"), v.total, v.previous, v.total - v.previous],
            [
                _("Bad ratings"),
                report.bad_ratings.total,
                report.bad_ratings.previous,
                report.bad_ratings.total - report.bad_ratings.previous,
            ],
            *_first_contact_rows(report),
        ],
    )
    tables = [figures, _rates_table(_("Headline rates"), report.rates)]
    return Section("summary", _("Summary"), tables, note=excluded_note(report.excluded))


def _first_contact_rows(report: Report) -> list[list[Any]]:
    """Answered at first contact (直接答复办结): how many of the cases received, this period and the previous."""
    rate = report.first_contact
    if rate is None:
        return []
    now, before = rate.numerator, rate.previous_numerator
    return [[_("Answered at first contact"), now, before, now - before]]


def excluded_note(n: int) -> str:
    """What every page and file of figures says about the cases marked as spam or abuse (none: nothing)."""
    if not n:
        return ""
    return ngettext(
        "%(n)d more case was marked as spam or abuse and is not counted.",
        "%(n)d more cases were marked as spam or abuse and are not counted.",
        n,
    ) % {"n": n}


def volume(report: Report) -> Section:
    v = report.volume
    trend = Table(
        _("Cases received per day"),
        [_("Day"), _("Cases")],
        [[day.isoformat(), n] for day, n in v.trend],
        chart=Chart("line", limit=400),
    )
    return Section(
        "volume",
        _("Volume and trend"),
        [
            trend,
            _breakdown(_("By channel"), v.by_channel, _("Channel")),
            _breakdown(_("By kind"), v.by_kind, _("Kind")),
            _breakdown(_("By category (first level)"), v.by_category, _("Category")),
            _breakdown(_("By lead department"), v.by_department, _("Department")),
        ],
    )


def ratings(report: Report) -> Section:
    levels = Table(
        _("Ratings by level"),
        [_("Rating"), _("This period"), _("Previous period"), _("Change")],
        [[r.label, r.count, r.previous, r.change] for r in report.ratings_by_level],
        chart=Chart("bar"),
    )
    departments = Table(
        _("Departments"),
        [
            _("Department"),
            _("Received"),
            _("Received, previous period"),
            _("Closed"),
            _("Ratings"),
            _("Satisfied ratings"),
            _("Bad ratings"),
            _("Satisfaction rate (%)"),
        ],
        [
            [d.label, d.received, d.previous, d.closed, d.ratings, d.satisfied, d.bad, d.satisfaction]
            for d in report.departments
        ],
        percent_columns=(7,),
    )
    return Section("rates", _("Rates, ratings and departments"), [levels, departments])


def topics(report: Report) -> Section:
    share = report.analysed_share
    table = Table(
        _("Hot topics"),
        [
            _("Topic"),
            _("Cases this period"),
            _("Previous period"),
            _("Keywords"),
            _("Growth"),
            _("Heat"),
            _("Cases in topic"),
        ],
        [[t.label, t.count, t.previous, "、".join(t.keywords), t.growth, t.heat, t.size] for t in report.topics],
        chart=Chart("bar"),
    )
    examples = Table(
        _("Examples (personal data masked)"),
        [_("Topic"), _("Case"), _("Example")],
        [[t.label, e.number, e.text] for t in report.topics for e in t.examples],
    )
    note = _("%(done)d of %(total)d cases received in the period are analysed; only analysed cases count here.") % {
        "done": share.numerator,
        "total": share.denominator,
    }
    if not report.topics:
        note += " " + _("No hot topic has cases in this period.")
    return Section("topics", _("Hot topics"), [table, examples] if report.topics else [], note=note)


def bad_ratings(report: Report) -> Section:
    b = report.bad_ratings
    summary = Table(
        _("Bad ratings and what followed"),
        [_("Figure"), _("Count")],
        [
            [_("Bad ratings in the period"), b.total],
            *[[r.label, r.count] for r in b.by_level],
            [_("Replied again after the rating"), b.replied_again],
            [_("Rated again after the rating"), b.rated_again],
            [_("Satisfied at a later rating"), b.satisfied_after],
            [_("Case closed now"), b.closed_now],
        ],
    )
    yes, no = _("yes"), _("no")
    rows = Table(
        _("Latest bad ratings"),
        [
            _("Case"),
            _("Department"),
            _("Rating"),
            _("Rated at"),
            _("Replied again"),
            _("Rated again"),
            _("Satisfied later"),
            _("State now"),
        ],
        [
            [
                r.number,
                r.department,
                r.level_label,
                r.rated_at.strftime("%Y-%m-%d %H:%M"),
                yes if r.replied_again else no,
                yes if r.rated_again else no,
                yes if r.satisfied_after else no,
                r.state,
            ]
            for r in b.rows
        ],
    )
    return Section("bad_ratings", _("Bad ratings and rectification"), [summary, rows] if b.total else [summary])


GOODBAD_RATES = [
    ("satisfaction", gettext_lazy("Satisfaction rate (满意率)")),
    ("good", gettext_lazy("Good rating rate (好评率)")),
    ("bad", gettext_lazy("Bad rating rate (差评率)")),
    ("rectification", gettext_lazy("Rectification rate (整改率)")),
    ("follow_up", gettext_lazy("Follow-up rate (回访率)")),
]


def _goodbad_rows(groups: list[tuple[str, Tally]]) -> list[list[Any]]:
    return [[label, t.valid, *(share.percent for share in t.shares().values())] for label, t in groups]


def _goodbad_table(title: str, name: str, groups: list[tuple[str, Tally]], chart: bool = False) -> Table:
    headers = [name, _("Valid ratings"), *[str(label) for _key, label in GOODBAD_RATES]]
    return Table(
        title,
        headers,
        _goodbad_rows(groups),
        chart=Chart("line", value_column=2) if chart else None,
        percent_columns=(2, 3, 4, 5, 6),
    )


def goodbad_note(figures: GoodBad) -> str:
    """The footnote of the rates: how many ratings an upheld appeal took out, and why (never silently)."""
    if not figures.now.excluded:
        return ""
    head = ngettext(
        "%(n)d rating given in the period was taken out of the rates after an upheld appeal:",
        "%(n)d ratings given in the period were taken out of the rates after an upheld appeal:",
        figures.now.excluded,
    ) % {"n": figures.now.excluded}
    reasons = "; ".join(f"{number}: {reason}" for number, reason in figures.excluded_reasons)
    return f"{head} {reasons}"


def goodbad(report: Report) -> Section:
    figures = report.goodbad
    if figures is None:
        return Section("goodbad", _("Good and bad ratings (好差评)"), available=False)
    now, before = figures.now.shares(), figures.before.shares()
    rates = [
        Rate(key, str(label), now[key].numerator, now[key].denominator, before[key].numerator, before[key].denominator)
        for key, label in GOODBAD_RATES
    ]
    tables = [
        _rates_table(_("Rates of good and bad ratings"), rates),
        _goodbad_table(_("By lead department"), _("Department"), figures.by_department),
        _goodbad_table(_("By category (first level)"), _("Category"), figures.by_category),
        _goodbad_table(_("By month (twelve months)"), _("Month"), figures.by_month, chart=True),
    ]
    if figures.by_window:
        tables.append(_goodbad_table(_("By service window (一次一评)"), _("Service window"), figures.by_window))
    if figures.by_staff:
        tables.append(_goodbad_table(_("By member of staff (一次一评)"), _("Staff member"), figures.by_staff))
    return Section("goodbad", _("Good and bad ratings (好差评)"), tables, note=goodbad_note(figures))


def sections(report: Report) -> list[Section]:
    return [
        summary(report),
        volume(report),
        ratings(report),
        goodbad(report),
        report.on_time,
        topics(report),
        report.overdue,
        bad_ratings(report),
        report.actions,
    ]


# The report's terms and what they mean, shown under the dashboard and in every export.
DEFINITIONS = [
    (
        gettext_lazy("Period"),
        gettext_lazy(
            "A calendar month or ISO week in the organisation's local time (Asia/Shanghai); it starts "
            "at local midnight of its first day and ends before local midnight after its last day."
        ),
    ),
    (
        gettext_lazy("Cases received"),
        gettext_lazy(
            "Cases whose receipt time falls in the period, whatever their state now, "
            "including rejected and merged ones."
        ),
    ),
    (
        gettext_lazy("Channel, kind, category, department"),
        gettext_lazy(
            "The channel of the submission; the case's kind now; the "
            "first-level category above the case's category; the lead "
            'department now ("Not dispatched" if none).'
        ),
    ),
    (
        gettext_lazy("Response rate"),
        gettext_lazy(
            "Cases received in the period that were accepted, rejected or merged before the "
            "period ended, divided by the cases received in the period."
        ),
    ),
    (
        gettext_lazy("Resolution rate"),
        gettext_lazy(
            "Cases closed in the period (still closed now) whose latest rating is very "
            "satisfied, satisfied or fairly satisfied, or that have no rating (closed when the "
            "rating window passed, or by a supervisor), divided by the cases closed in the "
            "period."
        ),
    ),
    (
        gettext_lazy("Satisfaction rate"),
        gettext_lazy(
            "Valid ratings of replies given in the period that are very satisfied, satisfied or fairly satisfied "
            "(the levels FANKUI_SATISFIED_LEVELS names), divided by all valid ratings of replies given in the "
            "period. Valid: not taken out of the rates by an upheld appeal; those are counted in a note."
        ),
    ),
    (
        gettext_lazy("Good and bad rating rates"),
        gettext_lazy(
            "Valid ratings that are very satisfied or satisfied (好评), and unsatisfied or very unsatisfied (差评), "
            "divided by all valid ratings given in the period."
        ),
    ),
    (
        gettext_lazy("Rectification rate"),
        gettext_lazy(
            "Valid bad ratings given in the period whose rectification was checked and reported to the person, up "
            "to now, divided by the valid bad ratings given in the period."
        ),
    ),
    (
        gettext_lazy("Follow-up rate"),
        gettext_lazy(
            "Valid bad ratings given in the period by people who left a way to reach them, which a follow-up call "
            "(回访) reached, divided by all such ratings (the target is 100%)."
        ),
    ),
    (
        gettext_lazy("On-time closing rate"),
        gettext_lazy(
            "Closing deadlines that fell in the period and have passed (up to now, in a period not over): "
            "the share whose case was closed by its deadline. A case still open past its deadline counts as "
            "late; rejected and merged cases are not counted; a department's figure covers the cases it leads "
            "with the departments below it. The same rule per stage gives the on-time rates by stage."
        ),
    ),
    (
        gettext_lazy("Answered at first contact"),
        gettext_lazy(
            "Cases received in the period that the 12345 centre answered during the call and closed at once "
            "(直接答复办结); the dashboard shows their share of the cases received."
        ),
    ),
    (
        gettext_lazy("Rates"),
        gettext_lazy(
            "Every rate is one definition (fankui.actions.rates) shared by the dashboard, this report, the "
            "API and the public board; a rate whose denominator is 0 has no value (—)."
        ),
    ),
    (
        gettext_lazy("Change"),
        gettext_lazy("This period minus the previous period: a count, or percentage points for a rate."),
    ),
    (
        gettext_lazy("Hot topics"),
        gettext_lazy(
            "The ten topics with most analysed cases received in the period; examples are the "
            "newest analysed cases' masked text, never the original submission."
        ),
    ),
    (
        gettext_lazy("Bad ratings"),
        gettext_lazy(
            'Ratings "unsatisfied" or "very unsatisfied" given in the period. "Replied '
            'again", "rated again" and "satisfied later" look at replies and ratings of the '
            "same case after the bad rating, up to now."
        ),
    ),
    (
        gettext_lazy("Scope"),
        gettext_lazy(
            "The report command covers the whole organisation; the dashboard covers the cases the "
            "signed-in person may see, optionally one department's subtree (cases it leads)."
        ),
    ),
]


def definitions() -> list[tuple[str, str]]:
    """The report's definitions in the active language."""
    return [(str(term), str(meaning)) for term, meaning in DEFINITIONS]
