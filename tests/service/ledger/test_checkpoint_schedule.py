"""The worker's checkpoint schedule, on a simulated clock: an entry waits at most the interval, the poll and
two passes; passes (and so requests to witnesses) are never closer than the interval; a quiet log gets no
pass at all."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from corridor.service.ledger.checkpoint_schedule import CheckpointSchedule, interval_for, run

INTERVAL, POLL, PASS = 0.25, 0.02, 0.01  # PASS: how long one integrate-and-publish takes in the simulation
BOUND = INTERVAL + POLL + 2 * PASS


class SimulatedLog:
    """Entries committed at given moments; each pass publishes what was committed when it started."""

    def __init__(self, arrivals: list[float], until: float, cosigned: list[bool] | None = None,
                 pass_takes: float = PASS) -> None:
        self.arrivals, self.until, self.now, self.pass_takes = sorted(arrivals), until, 0.0, pass_takes
        self.passes: list[tuple[float, float, int | None]] = []  # (start, end, size published or None)
        self.cosigned = list(cosigned or [])  # per pass, whether a quorum cosigned (default: always)

    def sequenced_size(self) -> int:
        return sum(1 for at in self.arrivals if at <= self.now)

    def publish(self) -> int | None:
        start, size = self.now, self.sequenced_size()
        self.now += self.pass_takes
        size = size if not self.cosigned or self.cosigned.pop(0) else None
        self.passes.append((start, self.now, size))
        return size

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def run(self) -> SimulatedLog:
        run(CheckpointSchedule(INTERVAL, POLL), self.publish, self.sequenced_size,
            stopped=lambda: self.now >= self.until, sleep=self.sleep, clock=lambda: self.now)
        return self

    def waits(self) -> list[float]:
        """For each entry: from its commit to the end of the first pass that published it."""
        published = [(end, size) for _, end, size in self.passes if size is not None]
        return [next(end for end, size in published if size > n) - at for n, at in enumerate(self.arrivals)]


def apart(passes) -> list[float]:
    """From the end of each pass to the start of the next."""
    return [after[0] - before[1] for before, after in itertools.pairwise(passes)]


def test_passes_are_an_interval_apart_however_long_they_take():
    log = SimulatedLog([n * 0.01 for n in range(300)], until=5, pass_takes=0.4).run()  # a slow witness
    assert min(apart(log.passes)) >= INTERVAL - 1e-9
    assert max(log.waits()) <= INTERVAL + POLL + 2 * 0.4


def test_an_entry_arriving_just_after_a_checkpoint_is_published_within_the_bound():
    log = SimulatedLog([0.0, PASS + 0.001], until=3).run()
    assert [size for _, _, size in log.passes] == [1, 2]
    assert max(log.waits()) <= BOUND
    assert log.waits()[1] == pytest.approx(INTERVAL, abs=POLL + PASS)  # it waited out the interval, not a second


def test_on_a_quiet_log_an_entry_waits_only_for_the_poll_and_the_pass():
    log = SimulatedLog([0.0, 2.0031], until=4).run()
    assert log.waits()[1] <= POLL + PASS


def test_checkpoints_are_never_closer_than_the_interval_under_a_steady_stream():
    log = SimulatedLog([n * 0.003 for n in range(2000)], until=8).run()  # 333 entries a second for 6 s
    assert min(apart(log.passes)) >= INTERVAL - 1e-9
    assert len(log.passes) <= 8 / INTERVAL + 1
    assert max(log.waits()) <= BOUND


def test_nothing_waiting_no_pass_and_so_no_witness_asked():
    log = SimulatedLog([0.0], until=10).run()
    assert len(log.passes) == 1  # the first pass, which publishes what is there; then quiet


def test_without_a_quorum_the_next_attempt_comes_an_interval_later_not_sooner():
    log = SimulatedLog([0.0], until=1.2, cosigned=[False, False, True]).run()
    assert [size for _, _, size in log.passes] == [None, None, 1]
    assert min(apart(log.passes)) >= INTERVAL - 1e-9
    assert len(log.passes) == 3  # published at last: quiet after


def test_with_witnesses_the_interval_is_at_least_theirs():
    config = SimpleNamespace(checkpoint_interval=0.25, witness_interval=1.0, witnesses=())
    assert interval_for(config) == 0.25
    config.witnesses = (("http://w1", "w1+00+AAAA"),)
    assert interval_for(config) == 1.0
    config.witness_interval = 0.1
    assert interval_for(config) == 0.25


def test_the_intervals_are_read_from_the_environment(tmp_path):
    from corridor.service.config import load

    base = {"CORRIDOR_DATA_DIR": str(tmp_path)}  # its own: secrets are created there, once (O_EXCL)
    default = load(base)
    assert (default.checkpoint_interval, default.witness_interval) == (0.25, 1.0)
    given = load({**base, "CORRIDOR_CHECKPOINT_INTERVAL": "0.2", "CORRIDOR_WITNESS_INTERVAL": "60"})
    assert (given.checkpoint_interval, given.witness_interval) == (0.2, 60.0)
    with pytest.raises(ValueError, match="CORRIDOR_CHECKPOINT_INTERVAL: 0.0 is not a positive"):
        load({**base, "CORRIDOR_CHECKPOINT_INTERVAL": "0"})
