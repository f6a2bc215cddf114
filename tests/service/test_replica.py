"""The read replica's rules without a replica: configuration, which reads may go there, the health bound, the
router's decisions and read-your-writes positions. tests/service/test_replica_standby.py runs them against
a real hot standby (`make test-replica`)."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import OperationalError, transaction
from django.test import RequestFactory

from corridor.service import replica
from corridor.service.config import load
from corridor.service.incidents.models import Incident
from corridor.service.ledger.models import LogEntry, SignedCheckpoint, StatementIndex, TreeState
from corridor.service.outbox.models import Message
from corridor.service.parties.models import ApiToken, Membership, Party, PartyKey, Passkey
from corridor.service.passages.models import CrewMember, Leg, Plan, SlotWindow, VehiclePlate
from corridor.service.web.models import PublicSummary

PG = "postgresql://corridor@db:5432/corridor"


def test_a_replica_needs_postgresql_on_both_sides(tmp_path):
    base = {"CORRIDOR_DATA_DIR": str(tmp_path)}
    for primary, copy in ((None, PG), ("sqlite:///x.db", PG), (PG, "sqlite:///y.db"), (PG, "mysql://h/db")):
        env = {**base, "DATABASE_REPLICA_URL": copy, **({"DATABASE_URL": primary} if primary else {})}
        with pytest.raises(ValueError, match="DATABASE_REPLICA_URL: a read replica needs PostgreSQL"):
            load(env)
    config = load({**base, "DATABASE_URL": PG, "DATABASE_REPLICA_URL": "postgresql://r@standby/corridor",
                   "CORRIDOR_REPLICA_MAX_LAG": "2.5"})
    assert (config.database_replica_url, config.replica_max_lag) == ("postgresql://r@standby/corridor", 2.5)
    assert load(base).database_replica_url == ""
    with pytest.raises(ValueError, match="CORRIDOR_REPLICA_MAX_LAG"):
        load({**base, "DATABASE_URL": PG, "DATABASE_REPLICA_URL": PG, "CORRIDOR_REPLICA_MAX_LAG": "0"})


def test_wal_positions_read_and_written():
    assert replica.parse_lsn("16/B374D848") == 0x16B374D848
    assert replica.format_lsn(0x16B374D848) == "16/B374D848"
    assert replica.parse_lsn("0/0") == 0
    for bad in (None, "", "16", "x/1", "1/", "/1", "123456789/0", "1/2/3"):
        assert replica.parse_lsn(bad) is None, bad


def test_only_read_models_may_be_read_from_the_replica():
    for model in (Plan, Leg, Incident, Party, StatementIndex, PublicSummary, CrewMember, SlotWindow, VehiclePlate):
        assert replica.serves_reads_of(model), model
    # the writer's log and fold, authority (sessions, users, tokens, memberships, passkeys, keys), the outbox
    for model in (LogEntry, TreeState, SignedCheckpoint, User, Session, ApiToken, Membership, Passkey, PartyKey,
                  Message):
        assert not replica.serves_reads_of(model), model


class FakeDatabases:
    """The primary's position and the replica's replay, moved by the test, with a clock of its own."""

    def __init__(self) -> None:
        self.now, self.primary_at, self.replayed, self.standby, self.down = 0.0, 100, 100, True, False
        self.commits: dict[int, float] = {}  # position -> when the commit ending there happened (Unix time)

    def health(self, max_lag: float = 5.0) -> replica.ReplicaHealth:
        return replica.ReplicaHealth(max_lag, clock=lambda: self.now, primary=lambda: self.primary_at,
                                     replica=self.replica, wall_clock=lambda: 1e9 + self.now)

    def commit(self, position: int) -> None:
        self.primary_at, self.commits[position] = position, 1e9 + self.now

    def replica(self) -> replica.Replayed:
        if self.down:
            raise OperationalError("connection refused")
        replayed_commits = [at for position, at in self.commits.items() if position <= self.replayed]
        return replica.Replayed(self.standby, self.replayed, max(replayed_commits, default=None))


def test_a_caught_up_replica_serves_and_a_lagging_one_does_not(caplog):
    db = FakeDatabases()
    health = db.health(max_lag=5.0)
    with caplog.at_level(logging.INFO, logger="corridor.replica"):
        assert health.serves(None)
        for second in range(1, 5):  # writes go on, the replica stops replaying
            db.now = second * 1.0
            db.commit(100 + second)
            assert health.serves(None)  # at most 4 s behind
        db.now = 5.5
        assert not health.serves(None)  # the primary was at 101 at t=1, and the replica is still at 100
        assert "lags more than 5 s behind the primary" in caplog.text
        db.replayed, db.now = db.primary_at, 6.6
        assert health.serves(None)
    assert [r.levelname for r in caplog.records] == ["INFO", "WARNING", "INFO"]  # changes only


def test_a_commit_in_flight_is_no_lag_for_a_process_that_looks_seldom():
    db = FakeDatabases()
    health = db.health(max_lag=5.0)
    db.commit(100)
    assert health.serves(None)
    db.now = 59.0  # other processes wrote meanwhile; the replica replayed it all...
    db.commit(150)
    db.replayed = 150
    db.now = 60.0  # ...but the commit made just now, when this process looks again a minute later
    db.commit(160)
    assert health.serves(None)
    assert health.staleness(db.now, db.replica()) == 1.0  # its last replayed commit is a second old, not 60


def test_an_idle_primary_is_no_lag():
    db = FakeDatabases()
    health = db.health(max_lag=1.0)
    for second in range(60):
        db.now = float(second)
        assert health.serves(None)


def test_unreachable_or_promoted_replicas_are_left_and_retried(caplog):
    db = FakeDatabases()
    health = db.health()
    db.down = True
    with caplog.at_level(logging.WARNING, logger="corridor.replica"):
        assert not health.serves(None)
    assert "unreachable (connection refused)" in caplog.text
    db.down, db.now = False, replica.CHECK_INTERVAL + 0.1
    assert not health.serves(None)  # not asked again before RETRY_INTERVAL
    db.now = replica.RETRY_INTERVAL + 0.1
    assert health.serves(None)
    db.standby, db.now = False, db.now + replica.CHECK_INTERVAL
    with caplog.at_level(logging.WARNING, logger="corridor.replica"):
        assert not health.serves(None)
    assert "not a standby any more" in caplog.text


def test_read_your_writes_waits_for_the_replica_to_replay_the_clients_write():
    db = FakeDatabases()
    health = db.health()
    assert health.serves(seen_lsn=100)
    db.primary_at = 150  # the client wrote; its answer said 150
    assert not health.serves(seen_lsn=150)  # the replica (asked again at once) is at 100: the primary answers
    db.replayed = 150
    assert health.serves(seen_lsn=150)  # replayed since: no need to wait for the next periodic look


@pytest.fixture
def healthy():
    db = FakeDatabases()
    replica.reset_health(db.health())
    yield db
    replica.reset_health()


def test_the_router_sends_read_models_of_let_through_requests_to_the_replica(healthy):
    router = replica.ReplicaRouter()
    assert router.db_for_read(Plan) == "default"  # a worker, a command, a request not let through
    with replica.replica_reads():
        assert [router.db_for_read(m) for m in (Plan, Leg, LogEntry, ApiToken, PartyKey)] == \
               ["replica", "replica", "default", "default", "default"]
    healthy.down, healthy.now = True, 10.0
    with replica.replica_reads():
        assert router.db_for_read(Plan) == "default"
    assert router.db_for_write(Plan) == "default"
    assert router.allow_migrate("default", "passages") and not router.allow_migrate("replica", "passages")


def test_a_request_keeps_the_database_it_chose_first(healthy):
    router = replica.ReplicaRouter()
    with replica.replica_reads():
        assert router.db_for_read(Plan) == "replica"
        healthy.down, healthy.now = True, 10.0
        assert router.db_for_read(Leg) == "replica"  # one request reads one copy, not a mix of two moments


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(healthy):
    router = replica.ReplicaRouter()
    with replica.replica_reads(), transaction.atomic():
        assert router.db_for_read(Plan) == "default"  # record() and every transaction read where they write


def test_positions_sent_back_and_who_may_read_the_replica():
    factory = RequestFactory()
    assert replica.may_read_replica(factory.get("/api/v1/plans"))
    assert replica.seen_position(factory.get("/")) is None
    with_token = factory.get("/api/v1/plans", HTTP_AUTHORIZATION="Bearer t")
    assert not replica.may_read_replica(with_token)  # a script that wrote may not keep cookies
    position = replica.issue_position(10)
    sent_back = factory.get("/api/v1/plans", HTTP_AUTHORIZATION="Bearer t", HTTP_CORRIDOR_LSN=position)
    assert replica.may_read_replica(sent_back) and replica.seen_position(sent_back) == 10
    both = factory.get("/", HTTP_CORRIDOR_LSN=replica.issue_position(10))
    both.COOKIES[replica.LSN_COOKIE] = replica.issue_position(15)
    assert replica.seen_position(both) == 15  # the furthest the client wrote


def test_forged_positions_are_ignored():
    factory = RequestFactory()
    genuine = replica.issue_position(0x16B374D848)
    assert genuine.startswith("16/B374D848:") and replica.read_position(genuine) == 0x16B374D848
    for forged in ("FFFFFFFF/FFFFFFFF", "FFFFFFFF/FFFFFFFF:" + genuine.partition(":")[2], "nonsense", ""):
        assert replica.read_position(forged) is None, forged
        request = factory.get("/api/v1/plans", HTTP_AUTHORIZATION="Bearer t", HTTP_CORRIDOR_LSN=forged)
        assert replica.seen_position(request) is None and not replica.may_read_replica(request)
