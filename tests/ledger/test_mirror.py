"""Mirroring a log: verified as it copies, incremental, refusing tampered tiles and forks with nothing
half-written, and servable as it is by a static web server."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from corridor.ledger.mirror import STAGING, MirrorError, mirror, partial_tiles
from corridor.ledger.note import Signer
from corridor.ledger.store import LogStore
from corridor.ledger.verify import Source, verify_log

ORIGIN = "corridor.example/mirror"


class Log:
    """A source log: a store writing tiles into a directory that also holds the trust file."""

    def __init__(self, directory, signer, name="source", prefix="entry"):
        self.tiles, self.signer, self.prefix = directory / name, signer, prefix
        self.store = LogStore(directory / f"{name}.db", self.tiles, ORIGIN, signer)
        (self.tiles / "trust.txt").write_text(f"log {signer.verifier.encode()}\n")

    def grow_to(self, size):
        first = self.store.sequenced_size()
        self.store.append([f"{self.prefix} {i}".encode() for i in range(first, size)])
        while self.store.integrate(100_000) < self.store.sequenced_size():
            pass
        self.store.publish()
        return self

    @property
    def source(self):
        return Source(str(self.tiles))


@pytest.fixture
def signer():
    return Signer.generate(ORIGIN)


@pytest.fixture
def log(tmp_path, signer):
    return Log(tmp_path, signer).grow_to(600)


def snapshot(directory) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in directory.rglob("*") if p.is_file() and not p.name.startswith(".mirror")}


def changed(before, after) -> set[str]:
    return {path for path, state in after.items() if before.get(path) != state}


def test_a_first_mirror_copies_and_verifies_everything(log, tmp_path, signer):
    result = mirror(log.source, tmp_path / "mirror")
    assert (result.old_size, result.new_size, result.trust_from_source) == (0, 600, True)
    assert verify_log(Source(str(tmp_path / "mirror")), signer.verifier).size == 600
    assert snapshot(tmp_path / "mirror").keys() == snapshot(log.tiles).keys()
    assert not (tmp_path / "mirror" / STAGING).exists()


def test_a_second_run_copies_only_what_is_new(log, tmp_path, signer):
    target = tmp_path / "mirror"
    mirror(log.source, target)
    before = snapshot(target)
    assert mirror(log.source, target).files == 0 and snapshot(target) == before
    log.grow_to(900)
    result = mirror(log.source, target)
    after = snapshot(target)
    # full tiles of the old tree stay as they were; the new full tile, the new right edge and the checkpoint come
    assert changed(before, after) == {"checkpoint", "tile/0/002", "tile/entries/002", "tile/0/003.p/132",
                                      "tile/entries/003.p/132", "tile/1/000.p/3"}
    assert result.files == 6 and result.old_size == 600 and result.new_size == 900
    assert verify_log(Source(str(target)), signer.verifier).size == 900


def test_an_incremental_mirror_across_three_levels(tmp_path, signer):
    log, target = Log(tmp_path, signer).grow_to(70_000), tmp_path / "mirror"
    mirror(log.source, target)
    before = snapshot(target)
    log.grow_to(70_600)
    mirror(log.source, target)
    assert len(changed(before, snapshot(target))) == 9  # 2 full + 1 partial tile/0 and bundles, tile/1, tile/2
    assert verify_log(Source(str(target)), signer.verifier).size == 70_600


@pytest.mark.parametrize("path", ["tile/0/002", "tile/entries/002", "tile/0/003.p/132", "tile/1/000.p/3"])
def test_a_tampered_file_is_refused_and_nothing_is_written(log, tmp_path, path):
    target = tmp_path / "mirror"
    mirror(log.source, target)
    log.grow_to(900)
    data = bytearray((log.tiles / path).read_bytes())
    data[-1] ^= 0xFF
    (log.tiles / path).write_bytes(bytes(data))
    before = snapshot(target)
    with pytest.raises(MirrorError) as refused:
        mirror(log.source, target)
    assert refused.value.code == "mirror.tile" and snapshot(target) == before
    assert not (target / STAGING).exists() and not (target / "tile/0/002").exists()


def test_a_forked_log_is_refused(log, tmp_path, signer):
    target = tmp_path / "mirror"
    mirror(log.source, target)
    before = snapshot(target)
    same_size = Log(tmp_path, signer, "same-size", prefix="other").grow_to(600)  # same key, other entries
    longer = Log(tmp_path, signer, "longer", prefix="other").grow_to(900)
    for fork in (same_size, longer):
        with pytest.raises(MirrorError) as refused:
            mirror(fork.source, target)
        assert refused.value.code == "mirror.fork" and snapshot(target) == before


def test_a_source_behind_the_mirror_or_signed_by_another_key_is_refused(log, tmp_path, signer):
    target = tmp_path / "mirror"
    behind = Log(tmp_path, signer, "behind").grow_to(300)
    mirror(log.source, target)
    with pytest.raises(MirrorError) as refused:
        mirror(behind.source, target)
    assert refused.value.code == "mirror.behind"
    stranger = Log(tmp_path, Signer.generate(ORIGIN), "stranger").grow_to(900)
    with pytest.raises(MirrorError) as refused:
        mirror(stranger.source, target)  # its trust file names its own key: not the mirror's
    assert refused.value.code == "mirror.trust_changed"
    (stranger.tiles / "trust.txt").write_text(f"log {signer.verifier.encode()}\n")  # claims ours
    with pytest.raises(MirrorError) as refused:
        mirror(stranger.source, target)
    assert refused.value.code == "mirror.checkpoint"


class FailingSource(Source):
    """The source going away midway (a network failure, or the mirror killed): after `left` tile reads."""

    def __init__(self, location, left):
        super().__init__(location)
        self.left = left

    def read(self, path):
        if path.startswith("tile/"):
            self.left -= 1
            if self.left < 0:
                raise OSError("connection reset")
        return super().read(path)


def test_a_run_interrupted_midway_leaves_the_mirror_as_it_was_and_the_next_one_completes(log, tmp_path, signer):
    target = tmp_path / "mirror"
    mirror(log.source, target)
    log.grow_to(5000)
    before = snapshot(target)
    with pytest.raises(MirrorError) as refused:
        mirror(FailingSource(str(log.tiles), 20), target)
    assert refused.value.code == "mirror.source" and snapshot(target) == before
    mirror(log.source, target)
    assert verify_log(Source(str(target)), signer.verifier).size == 5000


def test_partial_tiles_are_kept_one_checkpoint_longer_then_removed(log, tmp_path):
    target = tmp_path / "mirror"
    mirror(log.source, target)  # 600
    for size in (700, 800):
        log.grow_to(size)
        mirror(log.source, target)
    assert all((target / path).is_file() for path in partial_tiles(700))  # the previous checkpoint's
    gone = set(partial_tiles(600)) - set(partial_tiles(700)) - set(partial_tiles(800))
    assert gone and not any((target / path).is_file() for path in gone)


def test_the_mirror_is_served_as_it_is_by_a_static_web_server(log, tmp_path, signer):
    target = tmp_path / "mirror"
    mirror(log.source, target)
    handler = functools.partial(QuietHandler, directory=str(target))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert verify_log(Source(url), signer.verifier).size == 600
        second = tmp_path / "second"  # a mirror of the mirror, over HTTP
        assert mirror(Source(url), second).new_size == 600
    finally:
        server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
