"""When `corridor worker` publishes a checkpoint: soon after entries wait, never more often than allowed.

An entry `record()` committed is publicly included once a published checkpoint covers it. The worker looks
for waiting entries every `poll` seconds (one indexed MAX(idx) query, whatever the log's size) and
publishes as soon as some wait and `interval` has passed since its previous attempt ended. So an entry
waits at most interval + poll + two passes (one arriving while a pass runs waits for its end, the interval,
then the next; one arriving on a quiet log, only the poll and one pass), and no two passes (so no two
requests to a witness) are closer than `interval`, however long a pass takes. Nothing waiting:
no pass, and no witness asked. With witnesses the interval is at least theirs (`CORRIDOR_WITNESS_INTERVAL`):
each pass asks every witness once, and a witness allows a log only so many requests (c2sp.org/tlog-witness
leaves the rate to the witness; the witness network's log lists give each log a number of requests a day).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

log = logging.getLogger("corridor.checkpoints")  # each pass at DEBUG (bench/scale.py reads them)
POLL_SECONDS = 0.02  # the most the loop adds to an entry's wait on a quiet log


def interval_for(config) -> float:
    """The service's interval: its own, or the witnesses' when they cosign and theirs is longer."""
    return max(config.checkpoint_interval, config.witness_interval if config.witnesses else 0.0)


class CheckpointSchedule:
    def __init__(self, interval: float, poll: float = POLL_SECONDS) -> None:
        self.interval, self.poll = interval, poll
        self.last_attempt = -math.inf  # when the previous attempt ended
        self.published_size: int | None = None  # unknown before the first pass, which publishes what is there

    def seconds_until_allowed(self, now: float) -> float:
        return max(0.0, self.last_attempt + self.interval - now)

    def entries_wait(self, sequenced_size: int) -> bool:
        return self.published_size is None or sequenced_size > self.published_size


def run(schedule: CheckpointSchedule, publish: Callable[[], int | None], sequenced_size: Callable[[], int],
        stopped: Callable[[], bool], sleep: Callable[[float], object] = time.sleep,
        idle: Callable[[], None] = lambda: None, clock: Callable[[], float] = time.monotonic) -> None:
    """Until `stopped()`: `publish()` (integrate, publish; the size published, or None when it was not — no
    quorum — so the entries still wait and the next attempt comes an interval later) whenever the schedule
    allows and entries wait; `idle()` on each look that finds none."""
    while not stopped():
        pause = schedule.seconds_until_allowed(clock())
        if pause > 0:
            sleep(pause)
        elif schedule.entries_wait(sequenced_size()):
            started = clock()
            size = publish()
            schedule.last_attempt = clock()
            log.debug("pass %.6f %.6f %s", started, schedule.last_attempt, size)
            if size is not None:
                schedule.published_size = size
        else:
            idle()
            sleep(schedule.poll)
