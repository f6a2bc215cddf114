"""Benchmark: the SQL of a party's private check, the old form against the new, on a database bench/scale.py
built (SQLite, read-only): whether plan P (or a page of 50) is one of recv-1's, as `pk IN (every position
recv-1 has)` (before) and as an EXISTS per plan (after), and the party filter's page, each beside the
primitive of reading one plan by its key, with SQLite's query plan.

    .venv/bin/python bench/party_checks_sql.py /tmp/reads/plans-100000/data-sqlite/corridor.sqlite3 plan-050000
"""

from __future__ import annotations

import sqlite3
import sys
import time

MINE_OLD = "requester_id IN ('recv-1') OR id IN (SELECT plan_id FROM position WHERE party_id IN ('recv-1'))"
MINE_NEW = ("requester_id IN ('recv-1') OR EXISTS(SELECT 1 FROM position U0 WHERE U0.party_id IN ('recv-1') "
            "AND U0.plan_id = plan.id LIMIT 1 OFFSET 0)")


def main() -> None:
    database, plan = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    page = ",".join(f"'{r[0]}'" for r in db.execute("SELECT id FROM plan ORDER BY submitted_at DESC, id LIMIT 50"))
    queries = {
        "detail check, old (IN every position)": f"SELECT id FROM plan WHERE ({MINE_OLD}) AND id IN ('{plan}')",
        "detail check, new (EXISTS per plan)": f"SELECT id FROM plan WHERE ({MINE_NEW}) AND id IN ('{plan}')",
        "page of 50 check, old": f"SELECT id FROM plan WHERE ({MINE_OLD}) AND id IN ({page})",
        "page of 50 check, new": f"SELECT id FROM plan WHERE ({MINE_NEW}) AND id IN ({page})",
        "party filter page, new": f"SELECT id FROM plan WHERE ({MINE_NEW}) ORDER BY submitted_at DESC, id LIMIT 50",
        "primitive: one plan by key": f"SELECT id FROM plan WHERE id = '{plan}'",
    }
    mine = db.execute("SELECT count(*) FROM position WHERE party_id = 'recv-1'").fetchone()[0]
    print(f"positions of recv-1: {mine:,}")
    for name, sql in queries.items():
        times = []
        for _ in range(15):
            started = time.perf_counter()
            db.execute(sql).fetchall()
            times.append(time.perf_counter() - started)
        times.sort()
        steps = " / ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
        print(f"{name:40} median {times[7] * 1000:8.3f} ms  min {times[0] * 1000:8.3f} ms   | {steps}")


if __name__ == "__main__":
    main()
