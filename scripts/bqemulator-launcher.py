"""Start the PyPI BigQuery emulator (bqemulator) without DuckDB's spatial extension.

bqemulator loads DuckDB's spatial extension at start-up, which DuckDB downloads from the internet;
these machines cannot reach it, and this project never uses GEOGRAPHY. Replacing the loader with a
no-op before the CLI runs is the whole trick. Arguments pass straight through to `bqemulator`.
"""
import sys

from bqemulator.storage.engine import DuckDBEngine

DuckDBEngine._load_spatial = lambda self: None

from bqemulator.cli import main  # noqa: E402  (must come after the patch)

sys.exit(main())
