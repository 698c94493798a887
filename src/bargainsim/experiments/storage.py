"""Sweep results on disk: Parquet shards written atomically as runs complete, and a manifest.

A results folder holds `experiment.json` (the validated experiment and base scenario),
`manifest.json` (hash, version, seeds, times, counts) and `shards/part-NNNNNN.parquet`.
A shard is written to a temporary name and renamed, so a killed sweep leaves only whole
shards; rows not yet in a shard are simply run again on `--resume`. Rows are keyed by
(point, mode, seed) and hold no timestamps, so a resumed sweep's rows equal an
uninterrupted one's.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bargainsim.errors import InputError, Problem
from bargainsim.experiments.design import Plan
from bargainsim.outputs import columns as output_columns

logger = logging.getLogger(__name__)

KEY = ("point", "mode", "seed")


ARROW: dict[type, pa.DataType] = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(),
                                  str: pa.string()}


def _value_type(values: list[Any]) -> type:
    """The one Python type that holds a varied parameter's values (float for mixed numbers)."""
    if all(isinstance(v, bool) for v in values):
        return bool
    if all(isinstance(v, str) for v in values):
        return str
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return int
    return float


def schema(plan: Plan) -> pa.Schema:
    """Column types of a sweep's rows: key, varied values, status, the kept outputs.

    The outputs' columns and types come from the outputs table (`bargainsim.outputs`).
    """
    fields = [pa.field("point", pa.int64()), pa.field("mode", pa.string()),
              pa.field("seed", pa.int64())]
    for name in plan.parameters:
        fields.append(pa.field(name, ARROW[_value_type([p[name] for p in plan.points])]))
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    fields += [pa.field(name, ARROW[kind]) for name, kind in
               output_columns(plan.experiment.outputs, plan.issues, plan.companies)]
    return pa.schema(fields)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultStore:
    """One sweep's results folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.shards = self.root / "shards"

    # ------------------------------------------------------------------ set-up
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder for one sweep: a second sweep on it is refused, not interleaved."""
        if self.root.exists() and not self.root.is_dir():
            raise InputError("--out", [Problem(str(self.root), "exists and is not a folder")])
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the whole sweep
        except OSError as exc:
            raise InputError("--out", [Problem(str(self.root),
                                               f"cannot create: {exc.strerror}")]) from None
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError("--out", [Problem(
                    str(self.root), "is in use by another sweep running now; wait for it "
                    "to finish (then --resume if needed) or choose another --out")]) from None
            yield
        finally:
            fh.close()

    def exists(self) -> bool:
        """Whether the folder already holds a sweep."""
        return (self.root / "manifest.json").exists()

    def create(self, plan: Plan, manifest: dict[str, Any]) -> None:
        """Start a new results folder (refusing one that already holds results)."""
        if self.exists() or (self.shards.exists() and any(self.shards.iterdir())):
            raise InputError("--out", [Problem(
                str(self.root), "already holds sweep results; add --resume to finish them, "
                "or choose another --out")])
        try:
            self.shards.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError("--out", [Problem(str(self.root),
                                               f"cannot create: {exc.strerror}")]) from None
        doc = {"experiment": plan.experiment.model_dump(mode="json"), "base": plan.base,
               "points": plan.points, "source": plan.source}
        _atomic_write(self.root / "experiment.json", json.dumps(doc, indent=1).encode())
        self.write_manifest(manifest)

    def manifest(self) -> dict[str, Any]:
        """The manifest as written last."""
        try:
            return json.loads((self.root / "manifest.json").read_text())
        except FileNotFoundError:
            raise InputError(str(self.root), [Problem(
                "manifest.json", "not a sweep results folder (no manifest.json)")]) from None
        except (OSError, ValueError) as exc:
            raise InputError(str(self.root), [Problem(
                "manifest.json", f"cannot be read: {exc}")]) from None

    def experiment(self) -> dict[str, Any]:
        """The stored experiment, base scenario and points."""
        try:
            return json.loads((self.root / "experiment.json").read_text())
        except (OSError, ValueError) as exc:
            raise InputError(str(self.root), [Problem(
                "experiment.json", f"cannot be read: {exc}")]) from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        _atomic_write(self.root / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())

    # ------------------------------------------------------------------ rows
    def shard_files(self) -> list[Path]:
        """Whole shards, in name order."""
        if not self.shards.is_dir():
            return []
        return sorted(self.shards.glob("part-*.parquet"))

    def write_shard(self, rows: list[dict[str, Any]], table_schema: pa.Schema) -> Path:
        """Write rows as the next shard, atomically."""
        existing = self.shard_files()
        index = int(existing[-1].stem.split("-")[1]) + 1 if existing else 0
        path = self.shards / f"part-{index:06d}.parquet"
        table = pa.Table.from_pylist(rows, schema=table_schema)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        _atomic_write(path, sink.getvalue().to_pybytes())
        return path

    @staticmethod
    def read(path: Path, **kw: Any) -> pa.Table:
        """One shard; a damaged one is reported by name with the way forward."""
        try:
            return pq.read_table(path, **kw)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(str(path), [Problem("", (
                f"not a readable Parquet shard ({str(exc).splitlines()[0][:120]}); move it "
                "out of shards/ and run the sweep with --resume to redo its runs"))]) from None

    def done_keys(self) -> set[tuple[int, str, int]]:
        """(point, mode, seed) of every row already on disk."""
        keys: set[tuple[int, str, int]] = set()
        for path in self.shard_files():
            # no Arrow thread pool: workers may yet be forked from this process
            cols = self.read(path, columns=list(KEY), use_threads=False).to_pydict()
            keys.update(zip(cols["point"], cols["mode"], cols["seed"], strict=True))
        return keys

    def iter_tables(self) -> Iterator[pa.Table]:
        """Each shard as a table (one at a time, for streaming exports)."""
        for path in self.shard_files():
            yield self.read(path)

    def table(self) -> pa.Table:
        """Every row, sorted by (point, mode, seed)."""
        tables = list(self.iter_tables())
        if not tables:
            return pa.table({k: [] for k in KEY})
        table = pa.concat_tables(tables)
        return table.sort_by([(k, "ascending") for k in KEY])

    def export_csv(self, path: str | Path) -> int:
        """Write every row to CSV, sorted; return the number of rows."""
        table = self.table()
        pacsv.write_csv(table, str(path))
        return table.num_rows

    def failed(self) -> int:
        """Rows whose run raised."""
        total = 0
        for path in self.shard_files():
            status = self.read(path, columns=["status"]).column("status")
            total += int(pc.sum(pc.equal(status, "failed")).as_py() or 0)
        return total
