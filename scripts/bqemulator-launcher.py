"""Start the PyPI BigQuery emulator (bqemulator) with two fixes for these machines.

1. bqemulator loads DuckDB's spatial extension at start-up, which DuckDB downloads from the internet;
   these machines cannot reach it, and this project never uses GEOGRAPHY. The loader is replaced by a
   no-op before the CLI runs.
2. bqemulator shares one DuckDB connection between its REST handlers and its Storage Write handlers,
   which run on gRPC's thread pool. DuckDB refuses a call on a connection that is busy in another
   thread ("Resource In Use Error: connection is busy with another call") instead of waiting, so an
   AppendRows to a COMMITTED stream (written to the table at once) that met a query failed with
   UNKNOWN, sometimes after its rows went in, and the query failed too. BigQuery itself never refuses
   for that reason. Here every call on the connection takes one lock, so a thread waits for the other
   instead, and a query's execute and fetch (`fetch_arrow`) hold it together, so an append cannot run
   between them and replace the result being fetched.

Arguments pass straight through to `bqemulator`.
"""
import sys
import threading

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

from bqemulator.cli import main  # noqa: E402  (must come after the patches)

sys.exit(main())
