"""Tiles corrupted, missing or stray on disk are found against the store and rewritten from it."""

from __future__ import annotations

import os

import pytest

from corridor.ledger.note import Signer
from corridor.ledger.store import LogStore
from corridor.ledger.tilecheck import (
    BAD,
    GOOD,
    REPAIRED,
    UNCHECKED,
    ExpectedTiles,
    TileChecker,
    needed_tiles,
    parse_tile_path,
)
from corridor.ledger.verify import Source, VerificationError, verify_log

ORIGIN = "corridor.example/log"


@pytest.fixture
def store(tmp_path):
    signer = Signer.generate(ORIGIN)
    store = LogStore(tmp_path / "log.db", tmp_path / "tiles", ORIGIN, signer)
    store.append([f"entry {i}".encode() for i in range(600)])  # full tiles, partial ones, and level 1
    store.integrate(1000)
    store.publish()
    store.signer = signer
    yield store
    store.close()


def verifies(store) -> bool:
    try:
        verify_log(Source(str(store.tiles)), store.signer.verifier)
    except VerificationError:
        return False
    return True


def flip(file) -> None:
    """Corrupt one byte in place, keeping the size (and moving the modification time, as a write does)."""
    data = bytearray(file.read_bytes())
    data[40] ^= 0xFF
    file.write_bytes(bytes(data))
    os.utime(file, ns=(file.stat().st_atime_ns, file.stat().st_mtime_ns + 1_000_000))


def bad(results) -> list[str]:
    return [path for path, status in results if status != GOOD]


def test_a_sound_log_has_every_tile_good(store):
    results = store.check_tiles()
    assert {path for path, _ in results} == {name.path for name in needed_tiles(600)}
    assert bad(results) == []


@pytest.mark.parametrize("path", ["tile/0/000", "tile/0/002.p/88", "tile/1/000.p/2", "tile/entries/001"])
def test_a_corrupted_tile_is_found_and_rewritten_from_the_store(store, path):
    flip(store.tiles / path)
    assert not verifies(store)
    assert bad(store.check_tiles()) == [path]
    assert store.check_tiles(repair=True) == [(p, REPAIRED if p == path else GOOD) for p, _ in store.check_tiles()]
    assert bad(store.check_tiles()) == [] and verifies(store)


def test_a_tile_found_good_is_checked_again_once_it_changes(store):
    checker = store.tile_checker()
    assert checker.check("tile/0/001", repair=False) == GOOD
    flip(store.tiles / "tile/0/001")
    assert checker.check("tile/0/001", repair=False) == BAD


def test_a_missing_tile_is_written_and_a_stray_file_removed(store):
    (store.tiles / "tile/0/001").unlink()
    (store.tiles / "tile/0/009").write_bytes(b"\0" * 32)
    assert sorted(bad(store.check_tiles())) == ["tile/0/001", "tile/0/009"]
    store.check_tiles(repair=True)
    assert bad(store.check_tiles()) == [] and not (store.tiles / "tile/0/009").exists() and verifies(store)


def test_a_reopened_store_finds_a_tile_corrupted_while_it_was_closed(store, tmp_path):
    """The hash tiles under the right edge give the stored root at start; a damaged one does not, so the tree
    is recomputed from the database and every tile checked and rewritten from it (here also a bundle)."""
    store.close()
    flip(tmp_path / "tiles" / "tile/0/000")
    flip(tmp_path / "tiles" / "tile/entries/000")
    reopened = LogStore(tmp_path / "log.db", tmp_path / "tiles", ORIGIN, store.signer)
    assert bad(reopened.check_tiles()) == []
    reopened.close()
    assert verifies(store)


def test_tile_paths_have_one_spelling():
    assert parse_tile_path("tile/0/x001/234.p/7").index == 1234
    assert parse_tile_path("tile/entries/000").level is None
    for odd in ("tile/0/0000", "tile/0/x000/001", "tile/0/000.p/0", "tile/0/000.p/256", "tile/a/000",
                "tile/0/000.p/007"):
        assert parse_tile_path(odd) is None, odd


def test_a_restart_checks_only_the_edge_a_crash_could_have_left_half_written(store):
    """The last full tile and the partial one of each level: a fixed number of tiles at any size (a check of
    every tile at start reads the whole log: minutes at a million entries). The rest is checked when served."""
    edge = [path for path, _ in store.check_edge_tiles()]
    assert edge == ["tile/entries/001", "tile/entries/002.p/88", "tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2"]
    flip(store.tiles / "tile/0/002.p/88")
    flip(store.tiles / "tile/0/000")  # not on the edge: found when it is served, or by `corridor log check`
    assert store.check_edge_tiles(repair=True)[3] == ("tile/0/002.p/88", REPAIRED)
    assert bad(store.check_tiles()) == ["tile/0/000"]


def test_one_check_reads_at_most_its_budget_of_the_log_and_later_ones_build_on_it(store):
    """On a request's path a tile check must not grow with the log: an upper tile whose lower roots are not
    known yet is served unchecked rather than read from every leaf under it, and becomes checkable once the
    tiles below it were checked."""
    read = []

    def leaves(start, end):
        read.append(end - start)
        return store.leaf_hashes_between(start, end)

    checker = TileChecker(store.tiles, ExpectedTiles(leaves, store.entries_between, leaf_budget=256))
    assert checker.check("tile/1/000.p/2") == UNCHECKED  # needs 512 leaves at once
    assert read == []
    assert [checker.check(f"tile/0/00{i}") for i in (0, 1)] == [GOOD, GOOD]
    flip(store.tiles / "tile/1/000.p/2")
    assert checker.check("tile/1/000.p/2") == REPAIRED  # the roots below are known now: no leaf read
    assert max(read) <= 256 and verifies(store)
