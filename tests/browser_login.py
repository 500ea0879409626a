"""The casework login in a real browser: password step, then the current TOTP code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.access import officers


def log_in(page: Any, base: str, username: str, password: str, totp_secret: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("form button[type=submit]").click()
    # The password check is argon2id: on a loaded 2-core machine it can take a while.
    try:
        page.wait_for_selector("#code", timeout=90_000)
    except Exception as exc:  # noqa: BLE001 - say what the page said instead
        raise AssertionError(
            f"no TOTP step after the password: {page.url}\n{page.inner_text('main')[:800]}"
        ) from exc
    step = officers.totp_step(dt.datetime.now(dt.UTC))
    page.fill("#code", officers.totp_code(totp_secret, step))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=90_000)
