"""Start the PyPI BigQuery emulator (bqemulator) with two fixes for these machines.

1. bqemulator loads DuckDB's spatial extension at start-up, which DuckDB downloads from the internet;
   these machines cannot reach it, and this project never uses GEOGRAPHY. The loader is replaced by a
   no-op before the CLI runs.
2. bqemulator shares one DuckDB connection between its REST handlers (on the event loop) and its
   Storage Write handlers (on gRPC's thread pool), and much of its code runs a statement and fetches
   its result in two calls. Concurrent work on that connection failed in two ways. DuckDB refuses a
   call while the connection is busy in another thread ("connection is busy"): an AppendRows to a
   COMMITTED stream failed UNKNOWN, sometimes after its rows went in. And a statement run between
   another's execute and fetch replaced the result being fetched: a catalog read got an INSERT's
   count (500 "tuple index out of range" on CREATE VIEW, in most fault-matrix scenarios), and every
   reader could be handed another statement's rows. BigQuery has neither failure. Here each HTTP
   request and each Storage Write unit of work (one unary call, or one AppendRows request) takes
   `_turn` for its whole length, so the two sides never interleave on the connection; under that,
   every single call still takes `_lock` (start-up and the snapshot sweeper run outside any turn).

Arguments pass straight through to `bqemulator`.
"""
import asyncio
import functools
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from bqemulator.storage.engine import DuckDBEngine

DuckDBEngine._load_spatial = lambda self: None


_lock = threading.RLock()


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
            with _lock:
                result = attribute(*args, **kwargs)
            # execute() returns the connection itself: keep fetches going through this wrapper.
            return self if result is self._connection else result

        return call


_connection = DuckDBEngine.connection.fget
DuckDBEngine.connection = property(lambda self: _WaitingConnection(_connection(self)))
_fetch_arrow = DuckDBEngine.fetch_arrow


def _fetch_arrow_locked(self, *args, **kwargs):
    with _lock:
        return _fetch_arrow(self, *args, **kwargs)


DuckDBEngine.fetch_arrow = _fetch_arrow_locked

# One unit of work on the DuckDB connection at a time. A semaphore, not a lock: work on the event loop
# acquires it in a worker thread of its own (never blocking the loop, which gRPC's streams also need)
# and releases it on the loop.
_turn = threading.BoundedSemaphore(1)
_waiting = ThreadPoolExecutor(max_workers=64, thread_name_prefix="turn")


async def _take_turn():
    acquiring = asyncio.get_running_loop().run_in_executor(_waiting, _turn.acquire)
    try:
        await asyncio.shield(acquiring)
    except asyncio.CancelledError:
        # Given up while waiting (the client went away): hand the turn back once the thread has it.
        acquiring.add_done_callback(lambda _: _turn.release())
        raise


class _OneRequestAtATime:
    """The REST app, each HTTP request holding `_turn` from start to end."""

    def __init__(self, app):
        self._app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self._app(scope, receive, send)
        await _take_turn()
        try:
            await self._app(scope, receive, send)
        finally:
            _turn.release()


import bqemulator.server  # noqa: E402
from bqemulator.grpc_api.write_servicer import BigQueryWriteHandler  # noqa: E402

_create_app = bqemulator.server.create_app
bqemulator.server.create_app = lambda context: _OneRequestAtATime(_create_app(context))


def _in_turn_on_loop(method):
    """A unary handler, which bqemulator's interceptor calls on the event loop (and awaits if async)."""

    @functools.wraps(method)
    async def run(*args, **kwargs):
        await _take_turn()
        try:
            return method(*args, **kwargs)
        finally:
            _turn.release()

    return run


def _in_turn_in_thread(method):
    """A step of AppendRows, which runs on gRPC's thread pool."""

    @functools.wraps(method)
    def run(*args, **kwargs):
        with _turn:
            return method(*args, **kwargs)

    return run


for _name in ("_handle_create_write_stream", "_handle_get_write_stream", "_handle_finalize_write_stream",
              "_handle_batch_commit_write_streams", "_handle_flush_rows"):
    setattr(BigQueryWriteHandler, _name, _in_turn_on_loop(getattr(BigQueryWriteHandler, _name)))
# AppendRows per request (binding its stream, then appending), never while it waits for the client's
# next request, which arrives through the event loop.
for _name in ("_bind_stream_to_target", "_perform_append"):
    setattr(BigQueryWriteHandler, _name, _in_turn_in_thread(getattr(BigQueryWriteHandler, _name)))

from bqemulator.cli import main  # noqa: E402  (must come after the patches)

sys.exit(main())
