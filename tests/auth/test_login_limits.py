"""Signing in tells nothing about which e-mails exist, and guessing is throttled per
account (from any address), per address (any e-mails) and per (account, address) pair."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from salingjaga.auth import service
from salingjaga.auth.ratelimit import LOGIN_LIMITS
from tests.web.helpers import DEMO_PASSWORD, csrf_from, make_user

LIMITS = {limit.scope: limit.failures for limit in LOGIN_LIMITS}


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting verifications (a count, not a stopwatch: the
    test machine is shared and its timings mean nothing)."""

    def __init__(self, **params: int) -> None:
        super().__init__(**params)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(service, "_hasher", counting)
    return counting


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost: the throttle tests sign in dozens of times."""
    monkeypatch.setattr(service, "_hasher", CountingHasher(time_cost=1, memory_cost=8, parallelism=1))


def attempt(client: TestClient, email: str, password: str) -> Any:
    page = client.get("/login?lang=en")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(page.text)}, follow_redirects=False)


def test_unknown_and_known_e_mails_cost_the_same_argon2_verification(client, world, hasher):
    """The defect: only known users' passwords were verified (~220 ms against ~8 ms), so
    the form's timing told which e-mails have accounts."""
    make_user(world, "moderator", "known@example.id")
    inactive = make_user(world, "moderator", "gone@example.id")
    with world.db.session() as s:
        s.get(service.User, inactive).active = False
    world.user("moderator", email="nopassword@example.id")  # a user without a password
    for email in ("known@example.id", "nobody@example.id", "gone@example.id", "nopassword@example.id"):
        before = hasher.verified
        r = attempt(client, email, "wrong password")
        assert r.status_code == 401 and "The email or password is wrong." in r.text, email
        assert hasher.verified - before == 1, email
    assert attempt(client, "known@example.id", DEMO_PASSWORD).status_code == 303


def test_spraying_many_accounts_from_one_address_is_throttled(client, world, cheap_argon2):
    """The pair lock alone let one address try every e-mail five times: password spraying
    was limited only by the general request limit."""
    make_user(world, "moderator", "real@example.id")
    codes = [attempt(client, f"user{n}@example.id", "Password1!").status_code
             for n in range(LIMITS["address"])]
    assert codes == [401] * (LIMITS["address"] - 1) + [429]
    # the address is refused now, even for a real account with the right password
    r = attempt(client, "real@example.id", DEMO_PASSWORD)
    assert r.status_code == 429
    assert "Too many failed sign-ins from your network. Try again in" in r.text
    assert "sj_session" not in r.cookies


def test_guessing_one_account_from_many_addresses_is_throttled(app, world, cheap_argon2):
    make_user(world, "moderator", "target@example.id")
    codes = []
    for n in range(LIMITS["account"] + 1):
        # every address tries fewer times than the pair lock allows
        with TestClient(app, client=(f"198.51.100.{n}", 40000)) as c:
            codes.append(attempt(c, "target@example.id", f"guess-{n}").status_code)
    assert codes == [401] * (LIMITS["account"] - 1) + [429, 429]
    with TestClient(app, client=("203.0.113.77", 40000)) as c:
        r = attempt(c, "TARGET@example.id", DEMO_PASSWORD)
    assert r.status_code == 429
    assert "Too many failed sign-ins to this account. Try again in" in r.text
    # another account is not affected by the lock of this one
    make_user(world, "moderator", "other@example.id")
    with TestClient(app, client=("203.0.113.78", 40000)) as c:
        assert attempt(c, "other@example.id", DEMO_PASSWORD).status_code == 303


def test_a_spray_over_many_addresses_meets_the_global_limit(app, world, cheap_argon2):
    from salingjaga.auth.ratelimit import LoginLimit, LoginLimits

    app.state.login_limits = LoginLimits(app.state.rate_counter, (*LOGIN_LIMITS[:2], LoginLimit("global", 3, 900)))
    make_user(world, "moderator", "real@example.id")
    codes = []
    for n in range(4):
        with TestClient(app, client=(f"192.0.2.{n}", 40000)) as c:
            codes.append(attempt(c, f"user{n}@example.id", "guess").status_code)
    assert codes == [401, 401, 429, 429]
    with TestClient(app, client=("192.0.2.200", 40000)) as c:
        r = attempt(c, "real@example.id", DEMO_PASSWORD)
    assert r.status_code == 429
    assert "Sign-in is paused after many failed attempts on this site." in r.text
