"""Nothing answers 500 to what a client can put around the parameters either: the same walk of every route as
test_hostile_parameters_never_make_a_500 (its world and addresses, tests/core/hostile.py), asked

- with every other method (HEAD, PUT and PATCH with a body, DELETE, OPTIONS), by the superuser and a stranger;
- with hostile headers, one at a time: Accept-Language and Accept garbled or huge, a Host this site does not serve
  or cannot parse, X-Forwarded-For that is not an address (with a trusted proxy, so that it is read), X-Request-ID
  with a line break, Authorization garbled, malformed session, CSRF and language cookies, If-Modified-Since and
  If-None-Match garbage, Range out of range, Content-Length that is not a number; each by one of the two clients
  in turn (route by route), on GET and, where the route takes it, POST;
- where the route takes POST, with bodies that are not what they declare (JSON sent as a form, a form sent as JSON,
  multipart without a boundary, with a broken or too long boundary, truncated, an unknown charset, undecodable
  bytes, JSON nested past the parser's recursion limit, JSON that is not an object);
- and with uploads in every file field the views read: an empty file part, a zero-byte file, a NUL, a path or a
  thousand characters in the file's name, a PDF named .jpg declared as HTML, more files than any form takes, more
  than Django parses.

The partner webhook's bodies are signed with the partner's secret and Open311's carry a working api_key, so that
what the endpoints do after the signature and the key is asked too. To stay fast (it runs on both engines in CI),
the headers and bodies are spread over the routes deterministically: each route gets a sixth of the headers and an
eighth of the bodies, in turn, except the routes that parse a body of their own (the API, Open311, the webhook, the
public rating, questionnaire and tracking pages, imports, actions), which get every body. Run it on PostgreSQL as
well."""

from __future__ import annotations

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from fankui.accounts.models import Role
from fankui.accounts.services import issue_token
from fankui.partners import signing
from tests import factories
from tests.core.hostile import FORM, World, addresses, all_routes, world

OTHER_METHODS = ("head", "put", "patch", "delete", "options")
# WSGI hands headers over as latin-1 text: "\xff" is a byte no UTF-8 reader expects.
HEADERS: list[dict[str, str]] = [
    {"HTTP_ACCEPT_LANGUAGE": "x" * 5000},
    {"HTTP_ACCEPT_LANGUAGE": "zh-hans;q=nan, en;q=-1, *;q=1e400, \xff;q=, ;;,"},
    {"HTTP_ACCEPT_LANGUAGE": "zh-Hans-CN-x-" + "a" * 200},
    {"HTTP_ACCEPT": "application/json;q=x, */*;q=nan, \xff/\xff"},
    {"HTTP_ACCEPT": "text/html;" + "a=b;" * 1000},
    {"HTTP_HOST": "evil.example"},
    {"HTTP_HOST": "[::1"},
    {"HTTP_HOST": "testserver:99999999999999999999"},
    {"HTTP_X_FORWARDED_FOR": "not-an-address"},
    {"HTTP_X_FORWARDED_FOR": "1.2.3.4, \xff, ,, 999.999.999.999"},
    {"HTTP_X_FORWARDED_FOR": "x" * 3000},
    {"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "gopher"},
    {"HTTP_X_REQUEST_ID": "abc\r\nSet-Cookie: x=1"},
    {"HTTP_X_REQUEST_ID": "\xff" * 3000},
    {"HTTP_AUTHORIZATION": "Bearer \xff\xfe"},
    {"HTTP_AUTHORIZATION": "Bearer " + "x" * 5000},
    {"HTTP_AUTHORIZATION": "Basic !!!"},
    {"HTTP_COOKIE": "sessionid=\xff\xfe; csrftoken=short; django_language=\xff"},
    {"HTTP_COOKIE": "sessionid=" + "x" * 4000 + "; django_language=" + "x" * 4000},
    {"HTTP_COOKIE": 'a=b; ;; =; "; sessionid="x; csrftoken=' + "%00" * 64},
    {"HTTP_IF_MODIFIED_SINCE": "Mon, 99 Foo 99999 99:99:99 GMT"},
    {"HTTP_IF_MODIFIED_SINCE": "\xff", "HTTP_IF_NONE_MATCH": '"x", *, W/"' + "y" * 3000},
    {"HTTP_RANGE": "bytes=99999999999999999999-1"},
    {"HTTP_RANGE": "bytes=-0, a-b, 5-1"},
    {"CONTENT_LENGTH": "-1"},
    {"CONTENT_LENGTH": "abc"},
    {"HTTP_X_FANKUI_TIMESTAMP": "1e400", "HTTP_X_FANKUI_SIGNATURE": "sha256=" + "\xff" * 64},
]
TEXT = "幸福小区路灯不亮已经三天了，请尽快处理。"
# (content type, body) pairs that are not what they say.
MISMATCHES: list[tuple[str, bytes]] = [
    (FORM, json.dumps({"description": TEXT, "a": "\x00"}).encode()),
    ("application/json", f"description={TEXT}&a=1".encode()),
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n"),
    ("multipart/form-data; boundary=BoUnDaRy", b"garbage, not a part"),
    ("multipart/form-data; boundary=" + "x" * 1000, b"--x\r\n"),
    (f"multipart/form-data; boundary={BOUNDARY}", f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a'.encode()),
    (f"{FORM}; charset=no-such-charset", "description=说明&a=1".encode()),
    (f"{FORM}; charset=utf-16", b"\xff\xfe\x00"),
    ("application/json", b"\xff\xfe\x00\xd8"),
    ("application/json; charset=latin-1", b'{"description": "\xe9"}'),
    ("application/json", b"[" * 100_000),
    ("application/json", b"[]"),
    ("application/json", b'"x"'),
    ("application/json", b"null"),
    ("application/json", b'{"description": ' * 2000),
    ("application/xml", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'),
    ("text/plain", b"\x00\xff" * 100),
]
# The routes that parse a body of their own (JSON, Open311's forms, a signed webhook) or take files.
READS_BODIES = ("api/v1/", "open311/", "partners/", "r/", "q/", "track/", "staff/imports/", "staff/actions/")
# A form body that gets as far as a sign-in attempt (which stores the client's address).
SIGN_IN = b"username=nobody&password=wrong&a=1"
FILE_FIELDS = ("files", "file", "attachments", "media", "evidence")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def uploads() -> list[tuple[str, bytes]]:
    """Multipart bodies with one kind of hostile file in every file field (and a text that lets a form get so far)."""

    def files(name: str, content: bytes, kind: str = "image/jpeg", n: int = 1) -> list[SimpleUploadedFile]:
        return [SimpleUploadedFile(name, content, kind) for _ in range(n)]

    cases = [
        files("a.jpg", b""),
        files("a\x00.jpg", PDF),
        files("../../../etc/passwd", PDF, "application/pdf"),
        files("..\\..\\windows\\win.ini", PDF, "application/pdf"),
        files("说" * 1000 + ".pdf", PDF, "application/pdf"),
        files("invoice.jpg", PDF, "text/html"),
        files("a.exe", b"MZ\x90\x00", "application/x-msdownload"),
        files("many.pdf", PDF, "application/pdf", n=12),
    ]
    bodies = []
    for case in cases:
        data: dict[str, object] = {"description": TEXT, "text": TEXT, "grounds": TEXT, "comment": TEXT}
        data.update({field: case for field in FILE_FIELDS})
        bodies.append((MULTIPART_CONTENT, encode_multipart(BOUNDARY, data)))
    # An empty file part, as a browser sends a file input nobody filled.
    empty = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
        for field in FILE_FIELDS
    )
    bodies.append((MULTIPART_CONTENT, f"{empty}--{BOUNDARY}--\r\n".encode()))
    # More files than Django parses (DATA_UPLOAD_MAX_NUMBER_FILES, 100).
    bodies.append((MULTIPART_CONTENT, encode_multipart(BOUNDARY, {"files": files("a.pdf", PDF, n=120)})))
    return bodies


UPLOADS = uploads()


def signed(route: str, w: World, content: bytes) -> dict[str, str]:
    """The partner's signature headers over ``content``, on the partner's webhook (else none)."""
    if not route.startswith("partners/"):
        return {}
    headers = signing.headers(w.partner_secret, content, time.time())
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def keyed(route: str, w: World, address: str) -> str:
    """Open311's addresses with the working api_key in the query string (the key a form body may lack)."""
    return f"{address}?api_key={w.open311_key}" if route.startswith("open311/") else address


@pytest.mark.django_db
@pytest.mark.parametrize(("index", "route"), list(enumerate(all_routes())))
def test_no_hostile_method_header_body_or_upload_makes_a_500(index: int, route: str) -> None:
    w, root = world()
    person = factories.user(Role.AUDITOR) if route.startswith("staff/audit/") else root
    superuser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_AUTHORIZATION=f"Bearer {issue_token(person, 'tests')}")
    superuser.force_login(person)
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    clients = (superuser, stranger)
    real, _hostile = addresses(route, w)
    address = keyed(route, w, real)
    failures: list[str] = []

    def ask(
        client: Client, method: str, what: str, content: bytes = b"", content_type: str = FORM, **extra: str
    ) -> int:
        try:
            with transaction.atomic():  # a database error must not spoil the next request's transaction
                response = client.generic(method.upper(), address, content, content_type, **extra)
        except Exception as error:
            failures.append(f"{method.upper()} {address} {what}: {type(error).__name__}: {error}"[:400])
            return 0
        if response.status_code >= 500 and not (route == "readyz" and response.status_code == 503):
            failures.append(f"{method.upper()} {address} {what}: {response.status_code}")
        return response.status_code

    takes_post = ask(superuser, "post", "nothing") != 405
    # Sampled so that the walk stays fast, deterministically: every method on every route, by one client on this route
    # and the other on the next; a sixth of the headers on each route, in turn, so each meets a sixth of the routes;
    # every body on the routes that read a body themselves, an eighth of them (in turn) on the others.
    for k, method in enumerate(OTHER_METHODS):
        content = f"description={TEXT}&id=1".encode() if method in ("put", "patch") else b""
        ask(clients[(index + k) % 2], method, "a form", content)
    with override_settings(FANKUI_TRUSTED_PROXIES=1, ALLOWED_HOSTS=["testserver"]):
        for k, headers in enumerate(HEADERS):
            if k % 6 != index % 6:
                continue
            client = clients[(index + k) % 2]
            ask(client, "get", repr(headers)[:80], **headers)
            if takes_post:
                ask(client, "post", repr(headers)[:80], SIGN_IN, FORM, **{**signed(route, w, SIGN_IN), **headers})
    if takes_post:
        reads_bodies = route == "" or route.startswith(READS_BODIES)  # "": the portal's form
        for k, (content_type, content) in enumerate([*MISMATCHES, *UPLOADS]):
            if reads_bodies or k % 8 == index % 8:
                what = f"{content_type[:40]} {content[:40]!r}"
                ask(clients[(index + k) % 2], "post", what, content, content_type, **signed(route, w, content))
    assert not failures, "\n".join(failures)
