"""The per-process API key cache: entries expire, failures are never cached, a full cache
starts over, and a cache with no lifetime keeps nothing."""

from salingjaga.auth.cache import AuthCache
from salingjaga.auth.principal import Principal

SARI = Principal(user_id="usr_1", name="Sari", role="moderator")


def test_an_entry_lives_for_its_ttl_only():
    now = [0.0]
    cache = AuthCache(5, clock=lambda: now[0])
    cache.put("h1", SARI)
    now[0] = 4.9
    assert cache.get("h1") == SARI
    now[0] = 5.0
    assert cache.get("h1") is None
    assert len(cache) == 0  # the expired entry is dropped, not kept


def test_unknown_keys_are_not_remembered():
    cache = AuthCache(5)
    assert cache.get("nobody") is None
    assert len(cache) == 0


def test_a_full_cache_starts_over_and_clear_forgets_everything():
    cache = AuthCache(5, max_entries=2)
    cache.put("a", SARI)
    cache.put("b", SARI)
    cache.put("c", SARI)
    assert len(cache) == 1 and cache.get("c") == SARI
    cache.clear()
    assert cache.get("c") is None


def test_ttl_zero_turns_the_cache_off():
    cache = AuthCache(0)
    cache.put("a", SARI)
    assert cache.get("a") is None
