"""The peer helper skips visibly, or fails under INTEGRA_REQUIRE_PEERS=1."""

from __future__ import annotations

import pytest
from crypto_peers import require_peer


def test_available_peer_passes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEGRA_REQUIRE_PEERS", "1")
    require_peer("age", True, "unused")


def test_missing_peer_skips_with_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTEGRA_REQUIRE_PEERS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="peer 'age' unavailable: install it"):
        require_peer("age", False, "install it")


def test_missing_peer_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEGRA_REQUIRE_PEERS", "1")
    with pytest.raises(pytest.fail.Exception, match="INTEGRA_REQUIRE_PEERS=1"):
        require_peer("age", False, "install it")
