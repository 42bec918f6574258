"""The tile cache is bounded in bytes, not entries, and keyed by layer version."""

from __future__ import annotations

from webmap.tiles import TileCache


def test_cache_holds_at_most_its_bytes_and_evicts_least_recently_used():
    cache = TileCache(max_bytes=10_000)
    for i in range(20):
        cache.put(("villages", 10, i, 0, 1), (b"x" * 1_000, '"etag"'))
        assert cache.size_bytes <= 10_000
    assert len(cache) < 20
    assert cache.get(("villages", 10, 0, 0, 1)) is None  # the oldest went first
    assert cache.get(("villages", 10, 19, 0, 1)) is not None


def test_recently_read_tiles_stay():
    cache = TileCache(max_bytes=5_000)
    for i in range(4):
        cache.put(("zones", 8, i, 0, 1), (b"y" * 1_000, '"e"'))
    cache.get(("zones", 8, 0, 0, 1))  # read the oldest: now the newest
    cache.put(("zones", 8, 9, 0, 1), (b"y" * 1_000, '"e"'))
    assert cache.get(("zones", 8, 0, 0, 1)) is not None
    assert cache.get(("zones", 8, 1, 0, 1)) is None


def test_zero_bytes_turns_caching_off_and_huge_tiles_are_not_stored():
    off = TileCache(max_bytes=0)
    off.put(("villages", 1, 0, 0, 1), (b"z", '"e"'))
    assert len(off) == 0
    small = TileCache(max_bytes=100)
    small.put(("villages", 1, 0, 0, 1), (b"z" * 1_000, '"e"'))
    assert len(small) == 0


def test_a_new_layer_version_is_a_different_key():
    cache = TileCache(max_bytes=10_000)
    cache.put(("villages", 5, 1, 1, 7), (b"old", '"a"'))
    assert cache.get(("villages", 5, 1, 1, 8)) is None
