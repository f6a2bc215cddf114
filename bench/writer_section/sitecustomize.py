"""Measurement only: loaded into the web server's processes by `bench/service.py --writer-section` (this
directory first on PYTHONPATH, so Python imports it at start-up). It times each recording transaction's
section under the writer lock, where the server processes take turns and whose length per statement bounds
the single writer (docs/scaling.md), and writes one line per transaction to $CORRIDOR_WRITER_SECTION.<pid>:

    <seconds after the lock's query returned> <thread CPU seconds> <statements> <queries> <lock query seconds>

(the thread's CPU over the whole transaction: the few µs before the lock's query, building it, included)

The lock's query (the lock, the catch-up and the reads sent with it) includes the wait for the lock, so it is
given apart; the section is timed from its return to the commit's. Nothing in the service is changed but
`record._apply_in_transaction`, wrapped once the module is imported (a finder that steps aside after)."""

import importlib.abc
import importlib.util
import os
import sys
import time

MODULE = "corridor.service.ledger.record"


def _traced(module, out_path):
    from django.db import connection

    inner, persist, out, recorded = module._apply_in_transaction, module._persist, None, [0]

    def counted_persist(*args, **kwargs):  # every statement recorded passes here once
        recorded[0] += 1
        return persist(*args, **kwargs)

    def apply_in_transaction(apply, *args):
        nonlocal out
        queries, lock_query, returned = 0, 0.0, None

        def timed(execute, sql, params, many, context):
            nonlocal queries, lock_query, returned
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                if "pg_advisory_xact_lock" in sql or (returned is None and connection.vendor == "sqlite"):
                    lock_query, returned = time.perf_counter() - started, time.perf_counter()
                else:
                    queries += 1

        cpu, recorded[0] = time.thread_time(), 0  # one recording thread at a time (the fold's lock)
        with connection.execute_wrapper(timed):
            inner(apply, *args)
        held = time.perf_counter() - returned if returned is not None else 0.0
        if out is None:
            out = open(f"{out_path}.{os.getpid()}", "a", buffering=1)  # noqa: SIM115 (open while the process lives)
        out.write(f"{held:.6f} {time.thread_time() - cpu:.6f} {recorded[0]} {queries} {lock_query:.6f}\n")

    module._persist = counted_persist
    return apply_in_transaction


class _WrapRecord(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            module._apply_in_transaction = _traced(module, os.environ["CORRIDOR_WRITER_SECTION"])

        spec.loader.exec_module = exec_module
        return spec


if os.environ.get("CORRIDOR_WRITER_SECTION"):
    sys.meta_path.insert(0, _WrapRecord())
