"""Start the PyPI BigQuery emulator (bqemulator) with two fixes for these machines.

1. bqemulator loads DuckDB's spatial extension at start-up, which DuckDB downloads from the internet;
   these machines cannot reach it, and this project never uses GEOGRAPHY. The loader is replaced by a
   no-op before the CLI runs.
2. bqemulator shares one DuckDB connection between its REST handlers (on the event loop) and its
   Storage Write handlers (on gRPC's thread pool), and much of its code runs a statement and fetches
   its result in two calls. Two threads on that connection failed in two ways. DuckDB refuses a call
   while the connection is busy in another thread ("connection is busy") instead of waiting: an
   AppendRows to a COMMITTED stream failed UNKNOWN, sometimes after its rows went in. And a statement
   run between another's execute and fetch replaced the result being fetched: a catalog read got an
   INSERT's count (500 "tuple index out of range" on CREATE VIEW, in most fault-matrix scenarios), and
   any reader could be handed another statement's rows. BigQuery has neither failure. Here every call
   on the connection takes `_lock`, and a statement keeps it until its result is fetched (or dropped,
   for statements whose result nobody reads), so no other thread runs a statement in between.
   Only the connection is serialised, not whole requests: holding a lock across an HTTP request or a
   gRPC call stalled the emulator for minutes (gRPC's streams and the REST handlers share the event
   loop and its thread pool).

3. bqemulator's Storage Write handlers are synchronous, and gRPC's asyncio server runs them on the event
   loop's default thread pool: min(32, cores + 4) threads, 6 on a 2-core machine. An AppendRows handler
   keeps its thread while it waits for the call's next request, so with the loaders' calls kept open
   between batches a seventh open call waited forever for a thread (every AppendRows of the end-to-end
   tests hung, stacks in `_handle_append_rows`). The server gets a pool of its own, large enough for
   every call the tests and the demo keep open. BigQuery has no such limit.

Arguments pass straight through to `bqemulator`. `kill -USR1 <pid>` writes every thread's Python stack
to the emulator's stderr (its log), to see where a hung emulator waits.
"""
import faulthandler
import gc
import signal
import sys
import threading

# A parent may start us with signals blocked (Foundation's Process does): SIGUSR1 must get through.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
faulthandler.register(signal.SIGUSR1, all_threads=True)

from concurrent.futures import ThreadPoolExecutor

import grpc

from bqemulator.storage.engine import DuckDBEngine

DuckDBEngine._load_spatial = lambda self: None


class _ConnectionLock:
    """Reentrant for the thread holding it, like an RLock, but a held result may be dropped (and the
    hold released) on another thread: the cycle collector runs wherever it runs."""

    def __init__(self):
        self._changed = threading.Condition(threading.Lock())
        self._owner = None
        self._depth = 0

    def acquire(self):
        me = threading.get_ident()
        while True:
            with self._changed:
                if self._changed.wait_for(lambda: self._owner in (None, me), timeout=2):
                    self._owner = me
                    self._depth += 1
                    return
            # Held for 2 s: perhaps by a result nobody can reach any more, kept only by a reference cycle
            # (a failed handler's traceback and its frame). The collector would drop it and release the
            # hold, but it runs only as objects are allocated, and a waiting emulator allocates little.
            # CI twice saw every AppendRows wait minutes after loaders were killed during REST queries,
            # while REST (on the event loop's thread, which may re-enter its own hold) still answered;
            # that fits such a hold, though it was not reproduced here. Collect now, outside `_changed`
            # (dropping a result releases through it).
            gc.collect()

    def release(self):
        with self._changed:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed.notify_all()

    def __enter__(self):
        self.acquire()

    def __exit__(self, *exc):
        self.release()


_lock = _ConnectionLock()
# What ends a statement's hold on `_lock`: reading its result.
_FETCHES = {"fetchall", "fetchone", "fetchmany", "fetchnumpy", "fetchdf", "df", "pl", "arrow",
            "to_arrow_table", "fetch_arrow_table", "fetch_record_batch"}


class _HeldResult:
    """A statement's result: `_lock` stays held by this thread until it is fetched or dropped."""

    def __init__(self, connection):
        self._connection = connection
        self._held = True

    def _release(self):
        if self._held:
            self._held = False
            _lock.release()

    def __getattr__(self, name):
        attribute = getattr(self._connection, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            finally:
                if name in _FETCHES:
                    self._release()

        return call

    def __del__(self):
        # CPython drops an unread result (DDL, INSERT) in the statement that made it, on the same thread.
        self._release()


class _WaitingConnection:
    """The engine's DuckDB connection, each call made under `_lock`."""

    def __init__(self, connection):
        self._connection = connection

    def __getattr__(self, name):
        with _lock:
            attribute = getattr(self._connection, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            _lock.acquire()
            try:
                result = attribute(*args, **kwargs)
            except BaseException:
                _lock.release()
                raise
            # execute() returns the connection itself, its result to be fetched: hold on until then.
            if result is self._connection:
                return _HeldResult(result)
            _lock.release()
            return result

        return call


_aio_server = grpc.aio.server


def _server_with_threads(*args, **kwargs):
    # Each open AppendRows call holds one of these threads while it waits for its next request.
    kwargs.setdefault("migration_thread_pool", ThreadPoolExecutor(max_workers=512, thread_name_prefix="grpc-handler"))
    return _aio_server(*args, **kwargs)


grpc.aio.server = _server_with_threads

_connection = DuckDBEngine.connection.fget
DuckDBEngine.connection = property(lambda self: _WaitingConnection(_connection(self)))

from bqemulator.cli import main  # noqa: E402  (must come after the patches)

sys.exit(main())
