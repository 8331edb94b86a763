"""Nothing answers 500 to what a browser, a script or a prober can put in an address or a form: every route, found
by walking the URL resolver so that a page added later is walked too, is asked with hostile values in every
parameter name the views read ("²", which ``str.isdigit`` accepts and ``int`` refuses; NUL, which PostgreSQL
refuses in text; undecodable bytes; dates and periods out of range; huge and negative numbers; repeated
parameters; unknown choices; very long text), in its path converters too, by a superuser (who sees every object)
and by a stranger. The path's ids are those of a small world (a replied case with an extension asked, a topic, an
action, a published questionnaire, a service window, a partner), so that the views get past their lookups.

Run it on PostgreSQL as well (FANKUI_DATABASE_URL): NUL bytes only fail there."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client

from fankui.accounts.models import Role
from fankui.accounts.services import issue_token
from tests import factories
from tests.core.hostile import FORM, addresses, all_routes, world

# Percent-encoded as sent (a lone surrogate cannot be UTF-8: its bytes arrive undecodable, as do 0xFF's).
HOSTILE = [
    "%C2%B2",  # ², a digit to str.isdigit, not to int
    "%00",
    "a%00b",
    "%ED%A0%80",  # a lone surrogate's bytes
    "%FF",
    "-1",
    "0",
    "99999999999999999999999",
    "1e400",
    "nan",
    "0001-01-01",
    "9999-12-31",
    "2026-13-45",
    "99999-99",
    "2026-00",
    "9999-12",
    "2026-W99",
    "2021-W53",  # 2021 has 52 ISO weeks
    "2026-11-16T25:61",
    "%D9%A3",  # ٣, an Arabic-Indic digit
    "x" * 2000,
    "%5B%5D",  # []
    "*",
]
# The names the views read (request.GET/POST.get, getlist, the fields of the forms they bind), and common ones.
NAMES = (  # noqa: SIM905  (a list literal of 118 names would take 118 lines)
    "page p q id ids pk topic topics period month year since until start end date date_from date_to from to "
    "status state department departments category categories kind channel source sort order format fmt next lang "
    "language token code case cases case_id case_ids action step level show sentiment nature decision choice "
    "answers score version versions question page_key key run go finish draft done download internal comment text "
    "title body username api_key caller milestones grounds days deadline owner lead_department service_code "
    "service_request_id jurisdiction_id start_date end_date lat long address_id email phone contact_email "
    "contact_phone name note reason spam_kind quota of by via indicator indicator_weeks scale_min scale_max "
    "show_if show_if_min show_if_values opens_at closes_at direction rating rectification extension window point "
    "badge hall limit offset per_page size lng indicator_target verify_after_days invitation"
).split()


def query(k: int) -> str:
    """Every name with the k-th hostile value, after a harmless one (``get`` reads the last, ``getlist`` both). One
    value at a time: a view that refuses NUL first would hide what "²" does to the next parameter."""
    return "&".join(f"{name}=1&{name}={HOSTILE[k]}" for name in NAMES)


# Values that let a view past its choices (a format, a kind, a state) to the parameter that depends on them.
PLAUSIBLE = {
    "format": "csv",
    "fmt": "json",
    "download": "1",
    "kind": "month",
    "show": "all",
    "state": "received",
    "status": "open",
    "sort": "-created_at",
    "order": "desc",
    "channel": "web",
    "source": "case",
    "run": "1",
    "go": "1",
    "language": "en",
    "lang": "en",
}
# The hostile values of numbers, dates and periods, sent behind PLAUSIBLE.
BEHIND = ["%C2%B2", "%00", "-1", "99999999999999999999999", "0001-01-01", "9999-12-31", "2026-13-45", "99999-99"]


def mixed(value: str) -> str:
    return "&".join(f"{name}={PLAUSIBLE.get(name, value)}" for name in NAMES)


def widest() -> str:
    """The widest range of dates there is: each bound alone is a date, together they span every day."""
    first = {"since", "start", "from", "date_from", "start_date", "opens_at"}
    return "&".join(f"{name}={'0001-01-01' if name in first else '9999-12-31'}" for name in NAMES)


def body(k: int) -> str:
    raw = ["²", "\x00", "\ud800", -1, 0, 10**30, 1e308, "nan", "0001-01-01", "9999-12-31", "2026-13-45", "99999-99"]
    return json.dumps({name: raw[(i + k) % len(raw)] for i, name in enumerate(NAMES)})


def test_the_walk_fills_every_kind_of_route() -> None:
    found = all_routes()
    for known in ("staff/cases/<int:pk>/", "api/v1/cases/<case_id>", "open311/v2/requests.(?P<fmt>xml|json)"):
        assert known in found
    assert query(1).count("=%00") == len(NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("route", all_routes())
def test_no_hostile_parameter_makes_a_500(route: str) -> None:
    w, root = world()
    # The superuser sees every case; the audit trail is the auditors' (and the administrators') alone.
    person = factories.user(Role.AUDITOR) if route.startswith("staff/audit/") else root
    superuser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_AUTHORIZATION=f"Bearer {issue_token(person, 'tests')}")
    superuser.force_login(person)
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    real, hostile = addresses(route, w)
    failures: list[str] = []

    def ask(client: Client, method: str, address: str, data: str = "", content_type: str = FORM) -> int:
        try:
            # A savepoint per request: a database error must not spoil the next request's transaction.
            with transaction.atomic():
                if method == "get":
                    response = client.get(f"{address}?{data}" if data else address)
                else:
                    response = client.post(address, data=data, content_type=content_type)
        except Exception as error:
            failures.append(f"{method.upper()} {address} {data[:80]!r}: {type(error).__name__}: {error}"[:400])
            return 0
        # The readiness probe answers 503 while the broker is away (as in tests): that is its answer, not a fault.
        if response.status_code >= 500 and not (route == "readyz" and response.status_code == 503):
            failures.append(f"{method.upper()} {address} {data[:80]!r}: {response.status_code}")
        return response.status_code

    staff_only = route.startswith(("staff/", "accounts/tokens"))
    for address in hostile:
        for method in ("get", "post"):
            ask(superuser, method, address)
    # A method the route refuses (405) is not asked again with every value.
    methods = [method for method in ("get", "post") if ask(superuser, method, real) != 405]
    for client in [superuser] if staff_only else [superuser, stranger]:
        for data in [query(k) for k in range(len(HOSTILE))] + [mixed(value) for value in BEHIND] + [widest()]:
            for method in methods:
                ask(client, method, real, data)
        if route.startswith("api/") and "post" in methods:
            for k in range(4):
                ask(client, "post", real, body(k), "application/json")
    if staff_only:
        ask(stranger, "get", real, query(0))
    assert not failures, "\n".join(failures)
