"""Issue 10 against a real multi-worker gunicorn: a concurrent flood of 1,000 wrong receipts
from many connections, then the real receipt opens on its first try, and the flood left no
row in the database."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from case_factory import make_case
from factories import make_entity
from servers import app_server
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.storage.models import Throttle

pytestmark = pytest.mark.e2e


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Visitor:
    """One browser-like client: its own cookie jar and the form's CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )
        with self.opener.open(base + "/seguimiento", timeout=30) as resp:
            page = resp.read().decode()
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, page[:500]
        self.token = match.group(1)

    def post_receipt(self, receipt: str) -> int:
        body = urllib.parse.urlencode({"receipt": receipt, "csrf_token": self.token}).encode()
        request = urllib.request.Request(self.base + "/seguimiento", data=body, method="POST")  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)


def test_flood_then_the_real_receipt_on_its_first_try(settings, clean_engine, tmp_path):
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        receipt = make_case(s, settings, ent).formatted
        s.commit()
    with app_server(
        "reporting", settings, tmp_path / "tmp", tmp_path / "gunicorn.log", workers=2
    ) as (base, _proc):
        visitors = [Visitor(base) for _ in range(8)]

        def flood(visitor: Visitor) -> list[int]:
            return [
                visitor.post_receipt(crypto.format_receipt(crypto.generate_receipt()))
                for _ in range(125)
            ]

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = [code for batch in pool.map(flood, visitors) for code in batch]
        assert len(statuses) == 1000
        assert set(statuses) == {422}, sorted(set(statuses))
        assert Visitor(base).post_receipt(receipt) == 303
    with Session(clean_engine) as s:
        assert s.scalar(select(func.count()).select_from(Throttle)) == 0
