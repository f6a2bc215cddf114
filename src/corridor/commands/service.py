"""Service commands: serve, worker, migrate, rebuild, createparty, createuser, demo.

Each sets up Django first (settings from environment variables: see docs/operations.md)."""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.service.settings")
    import django

    django.setup()


def add(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run the web service (granian) and the worker")
    serve.add_argument("--listen", default="127.0.0.1:8000")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=THREADS,
                       help="requests each worker handles at once (their statements are committed together; "
                            "see docs/operations.md before raising it)")
    serve.add_argument("--no-worker", action="store_true", help="do not start `corridor worker` beside it")
    serve.set_defaults(handler=serve_command)
    worker = commands.add_parser("worker", help="integrate the log, publish checkpoints and their figures, send "
                                                "notifications")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.set_defaults(handler=worker_command)
    migrate = commands.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(handler=lambda args: _django_command("migrate", "--no-input", "-v", "1"))
    rebuild = commands.add_parser("rebuild", help="rebuild every read model from the log")
    rebuild.add_argument("--check-signatures", action="store_true",
                         help="check every entry's signature again, not only those after the latest signed checkpoint")
    rebuild.set_defaults(handler=rebuild_command)
    party = commands.add_parser("createparty", help="register a party (and a key for it) on the log")
    party.add_argument("id")
    party.add_argument("--name", required=True)
    party.add_argument("--kind", required=True,
                       choices=["humanitarian", "authority", "escort", "observer", "source"])
    party.add_argument("--public-key", help="base64 Ed25519 public key the party keeps (default: custodial key)")
    party.add_argument("--email", default="")
    party.add_argument("--webhook", default="")
    party.add_argument("--language", default="en", choices=["en", "ru", "fr", "ar"],
                       help="the language of the party's notification emails")
    party.set_defaults(handler=createparty_command)
    user = commands.add_parser("createuser", help="create a user with a role in a party, and an API token")
    user.add_argument("username")
    user.add_argument("--party", required=True)
    user.add_argument("--role", choices=["viewer", "officer", "admin"], default="officer")
    user.add_argument("--password", help="default: generated and printed")
    user.add_argument("--superuser", action="store_true", help="also an operator in the Django admin")
    user.add_argument("--update", action="store_true", help="the user may exist already: give them this role in "
                      "this party, a new password and a new API token (their earlier tokens still work)")
    user.set_defaults(handler=createuser_command)
    demo = commands.add_parser("demo", help="seed the two-roads parties, routes and one user per party, and the "
                                            "worked example's history as signed statements")
    demo.add_argument("--empty", action="store_true",
                      help="parties, routes and users only: no statement of the example's history")
    demo.set_defaults(handler=demo_command)


def _django_command(*argv: str) -> int:
    django_setup()
    from django.core.management import call_command

    call_command(*argv)
    return 0


THREADS = 8  # see `web_server`


def web_server(listen: str, workers: int, threads: int) -> list[str]:
    """The HTTP server `corridor serve` runs: granian, serving the WSGI application (service/wsgi.py) from
    `workers` processes, each running it on `threads` threads at once. Requests that arrive together in one
    process record their statements in one transaction (group commit in `record()`), which a process serving
    one request at a time never does; pages that read the in-memory fold hold it until their request ends,
    and a batch or catch-up changes it only when no other thread reads it (ledger/fold_access.py).
    `threads` 1: one request at a time per process.

    granian rather than gunicorn: it parses HTTP and keeps connections in Rust, off the GIL that the
    application's threads share. Measured side by side (docs/benchmarks.md, "writes served by granian"), a
    write cost the server 0.2 ms less CPU and any request 0.1 ms less; writes/s at 50 clients rose 9-45 %.

    HTTP/1.1 only (`--http 1`): granian would otherwise also speak cleartext HTTP/2 to any client that opens
    with its preface, and accept header lists of up to 16 MiB a request there (`--http2-max-headers-size`),
    HPACK-compressed: measured, 10 requests of ~45 KB on the wire (one 4 KB header repeated by 1-byte
    references) raised a worker's memory by 180 MB. Browsers never send cleartext HTTP/2 and the proxy
    speaks HTTP/1.1 to us, so nothing needs it; over HTTP/1.1 a request's headers are capped at ~400 KB
    (431 beyond)."""
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"--listen {listen!r}: give HOST:PORT, e.g. 127.0.0.1:8000")
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "corridor.service.wsgi:application",
            "--host", host.strip("[]"), "--port", port, "--workers", str(workers),
            "--blocking-threads", str(max(threads, 1)), "--runtime-threads", "1", "--no-ws", "--http", "1",
            "--respawn-failed-workers", "--workers-kill-timeout", str(GRACE_SECONDS // 2)]


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
GRACE_SECONDS = 20  # the server finishes requests in flight; then whatever is left is killed


class _Stop(Exception):
    pass


def serve_command(args: argparse.Namespace) -> int:
    """The web server (`web_server`) and the worker as children; SIGTERM or SIGINT (or either child ending)
    stops them both."""
    children: list[subprocess.Popen] = []

    def stop(signum, frame):
        raise _Stop

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        if not args.no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "corridor.cli", "worker"]))
        children.append(subprocess.Popen([*web_server(args.listen, args.workers, args.threads), "--access-log"]))
        return children[-1].wait()
    except _Stop:
        return 0
    finally:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # a second signal must not interrupt the stopping
        _stop(children)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


STOP = threading.Event()  # set: the worker's loops end after their current pass (a process embedding it, tests)


def worker_command(args: argparse.Namespace) -> int:
    """Checkpoints in this thread, as soon as entries wait and at most one per CORRIDOR_CHECKPOINT_INTERVAL
    (CORRIDOR_WITNESS_INTERVAL with witnesses; ledger/checkpoint_schedule.py), nothing slow between two;
    notifications in a thread of their own; the public figures and aggregates (a minute's work at 1M
    statements, much of it in C calls that keep the GIL) in a process of their own, forked before anything
    opens a database connection or starts a thread. A thread or that process failing stops the worker, as a
    failed pass always did (`corridor serve` then stops, and its supervisor restarts it). `--once`: one pass
    of each, in turn."""
    django_setup()
    if not args.once:  # the service's worker, beside its pages (service/ledger/origins.py); not a one-off pass
        from ..service.ledger import origins

        origins.declares_configured_origin = True
    if args.once:
        _, checkpoint_pass = _checkpointer(once=True)
        checkpoint_pass()
        _outbox_pass()
        _publications_pass()
        return 0
    failures: list[BaseException] = []
    _repeat_in_process("publications", _publications_pass, failures)
    try:
        _checkpoint_loop(failures)
    finally:
        _stop_children()
        _close_this_threads_connection()
    if failures:
        raise failures[0]
    return 0


def _close_this_threads_connection() -> None:
    """A worker embedded in a thread (tests, a process that runs it beside other work) gives its database
    connection back when it ends, rather than holding it till the process exits."""
    from django.db import connection

    connection.close()


def _checkpointer(once: bool = False):
    """The log's store, and one checkpoint pass over it (returning the size published, None if none was)."""
    from corridor.service.ledger import snapshots
    from corridor.service.ledger.integrator import integrate_now, open_store, witness_cosigning

    store, cosigning = open_store(), witness_cosigning()  # one Cosigning: it remembers each witness's size
    # a restart notices the tiles a crash could have left half-written (the others are checked when served)
    for path, status in store.check_edge_tiles(repair=True):
        if status != "good":
            print(f"corridor worker: tile {path}: {status}", file=sys.stderr)

    def checkpoint_pass() -> int | None:
        note = integrate_now(store, cosigning)
        snapshots.after_checkpoint(wait=once)  # a fold snapshot for fast restarts, if due (own thread)
        return int(note.split("\n")[1]) if note else None

    return store, checkpoint_pass


def _checkpoint_loop(failures: list[BaseException]) -> None:
    from corridor.service.config import CONFIG
    from corridor.service.ledger import checkpoint_schedule, snapshots

    store, checkpoint_pass = _checkpointer()
    _repeat_in_thread("outbox", _outbox_pass, failures)
    sys.setswitchinterval(0.001)  # the checkpoint thread gets the GIL back within 1 ms of asking for it
    schedule = checkpoint_schedule.CheckpointSchedule(checkpoint_schedule.interval_for(CONFIG))
    checkpoint_schedule.run(schedule, checkpoint_pass, store.sequenced_size,
                            stopped=lambda: bool(failures) or STOP.is_set(), sleep=STOP.wait,
                            idle=_at_most_every(1.0, snapshots.after_checkpoint))  # one due by time alone


def _at_most_every(seconds: float, step):
    """`step`, called no more than once every `seconds` however often this is."""
    last = [-seconds]

    def maybe() -> None:
        if time.monotonic() - last[0] >= seconds:
            last[0] = time.monotonic()
            step()

    return maybe


def _outbox_pass() -> None:
    """Notifications due; and, at most once an hour, uploads never signed into a plan (documents/sweep.py)."""
    from corridor.service.documents.sweep import sweep_if_due
    from corridor.service.outbox.worker import process_due

    process_due()
    sweep_if_due()


def _publications_pass() -> None:
    """The public figures at the published checkpoint, then the public page's other aggregates (each at most
    every 30 s, when the log grew): slow on a large log, so never in the checkpoint loop."""
    from corridor.service.exports import published
    from corridor.service.web import precompute

    published.refresh()
    precompute.refresh()


def _repeat_in_thread(name: str, step, failures: list[BaseException]) -> threading.Thread:
    """`step` once a second at most, in a daemon thread (Django gives it its own database connection); its
    first exception is put in `failures` and ends the thread."""
    from django.db import connection

    def run() -> None:
        try:
            while not failures and not STOP.is_set():
                started = time.monotonic()
                step()
                time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        except BaseException as error:  # handed to the main thread, which stops the worker
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"corridor-worker-{name}", daemon=True)
    thread.start()
    return thread


_children: list[tuple[int, threading.Thread]] = []  # the worker's forked processes, and who waits on each


def _repeat_in_process(name: str, step, failures: list[BaseException]) -> None:
    """`step` once a second at most, in a forked child process: its own interpreter lock, so however long
    it computes, the checkpoint loop never waits for it. Forked before this process opens a database
    connection (the child opens its own) or starts a thread. It ends with its parent (PR_SET_PDEATHSIG on
    Linux, and a look at its parent after each step); its exit is put in `failures` as an exception."""
    from django.db import connections

    connections.close_all()  # nothing to share with the child: each side opens its own
    parent = os.getpid()
    child = os.fork()
    if child == 0:
        _run_child(name, step, parent)

    def wait() -> None:
        _, status = os.waitpid(child, 0)
        if not STOP.is_set():
            failures.append(RuntimeError(f"corridor worker: the {name} process ended ({_exit_words(status)})"))

    waiting = threading.Thread(target=wait, name=f"corridor-worker-{name}-wait", daemon=True)
    waiting.start()
    _children.append((child, waiting))


def _run_child(name: str, step, parent: int) -> None:
    """The forked child's whole life: never returns into the parent's code."""
    code = 1
    try:
        _die_with_parent()
        while os.getppid() == parent and not STOP.is_set():
            started = time.monotonic()
            step()
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        code = 0
    except BaseException:
        import traceback

        print(f"corridor worker: the {name} process failed:", file=sys.stderr)
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the loop's look at its parent ends it after a step
        pass


def _exit_words(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _stop_children() -> None:
    while _children:
        child, waiting = _children.pop()
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGTERM)
        waiting.join(10)


def rebuild_command(args: argparse.Namespace) -> int:
    django_setup()
    from corridor.service.ledger.rebuild import rebuild

    started, cpu = time.monotonic(), time.process_time()
    def progress(message: str) -> None:  # wall time, and this process's CPU time (the machine may be shared)
        print(f"  {time.monotonic() - started:6.1f}s  (cpu {time.process_time() - cpu:6.1f}s)  {message}",
              file=sys.stderr, flush=True)

    size = rebuild(progress, check_signatures=args.check_signatures)
    print(f"rebuilt every read model from {size:,} log entries in {time.monotonic() - started:.1f}s")
    return 0


def createparty_command(args: argparse.Namespace) -> int:
    django_setup()
    from corridor.service.ledger.record import Refused
    from corridor.service.parties.operations import do_register_party, do_set_contact

    public = base64.b64decode(args.public_key) if args.public_key else None
    try:
        recorded = do_register_party(args.id, args.name, args.kind, public=public)
    except Refused as error:
        print(f"corridor createparty: [{error.code}] {error.message}", file=sys.stderr)
        return 1
    if args.email or args.webhook:
        do_set_contact(args.id, args.email, args.webhook, args.language)
    key = recorded[1].folded.envelope.statement["payload"]["public"]
    custody = "custodial (the server signs for it)" if public is None else "kept by the party"
    print(f"registered party {args.id} (log entries {recorded[0].index}, {recorded[1].index}); key {key}: {custody}")
    return 0


def createuser_command(args: argparse.Namespace) -> int:
    django_setup()
    from django.contrib.auth import get_user_model

    from corridor.service.parties.models import Party
    from corridor.service.parties.operations import do_create_user, do_issue_token

    if not Party.objects.filter(pk=args.party).exists():
        print(f"corridor createuser: there is no party {args.party!r}; run `corridor createparty` first",
              file=sys.stderr)
        return 1
    existed = get_user_model().objects.filter(username=args.username).exists()
    if existed and not args.update:  # a new password for a colleague's account, by a typo: say so, change nothing
        print(f"corridor createuser: [user.exists] there is already a user {args.username!r}; nothing was changed. "
              "To give them this role, a new password and a new API token, run again with --update", file=sys.stderr)
        return 1
    user, password = do_create_user(args.username, args.party, args.role, args.password)
    if args.superuser:
        user.is_staff = user.is_superuser = True
        user.save()
    updated = " (updated: a new password; earlier API tokens still work)" if existed else ""
    print(f"user {user.username} is {args.role} of {args.party}{updated}; password: {password}")
    print(f"API token (shown once): {do_issue_token(user, 'createuser')}")
    return 0


def demo_command(args: argparse.Namespace) -> int:
    django_setup()
    from corridor.service import clock
    from corridor.service.demo import registry_time, seed, seed_history
    from corridor.service.ledger.models import LogEntry

    remembered = demo_credentials_path()
    before = remembered.read_text() if remembered.exists() else None
    print("Demo users (one per party of the two-roads example):")
    # on a new log with the history to come, the parties are registered as of the example's first day
    when = registry_time() if not args.empty and not LogEntry.objects.exists() else clock.now()
    with clock.frozen_at(when):
        accounts = seed(remembered=remembered)
    for username, party, password, token in accounts:
        print(f"  {username:10} party {party:9} password {password}   token {token}")
    if remembered.read_text() == before:
        print(f"(unchanged since the last run; they are kept in {remembered}: delete it and run again for new ones)")
    if not args.empty:
        _seed_history(seed_history)
    return 0


def _seed_history(seed_history) -> None:
    """The example's history on the log, and its checkpoint and public figures published at once (the worker
    would within seconds; the first visit should not find an empty page)."""
    from corridor.service.exports import published
    from corridor.service.ledger.integrator import integrate_now
    from corridor.service.web import precompute

    recorded = seed_history()
    if recorded:
        integrate_now()
        published.refresh(force=True)
        precompute.refresh(force=True)
        print(f"The two-roads example's history: {recorded} signed statements recorded "
              "(`corridor demo --empty` on a new data directory for an install without them).")
    else:
        print("The log already holds plans or later entries: no example history added.")


def demo_credentials_path():
    from corridor.service.config import CONFIG

    return CONFIG.data_dir / "demo-credentials.json"
