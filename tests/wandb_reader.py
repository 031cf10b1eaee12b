"""Read the records of an offline W&B run (wandb 0.31 ships no reader for them).

``wandb/offline-run-*/run-<id>.wandb``: a 7-byte header (``:W&B``, a 2-byte magic, a version
byte), then LevelDB-log records in 32 KiB blocks, each with a 7-byte header (CRC-32C, 2-byte
little-endian length, 1-byte type: 1 full, 2 first, 3 middle, 4 last). Each payload is a
``wandb_internal_pb2.Record``.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

from wandb.proto import wandb_internal_pb2

BLOCK = 32 * 1024
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def read_records(path: Path) -> list[wandb_internal_pb2.Record]:
    raw = Path(path).read_bytes()
    if raw[:4] != b":W&B":
        raise ValueError(f"{path}: not a W&B run file")
    records, chunks, position = [], [], HEADER
    while position + HEADER <= len(raw):
        left_in_block = BLOCK - position % BLOCK
        if left_in_block < HEADER:  # too small for a record header: zero padding
            position += left_in_block
            continue
        _checksum, length, kind = struct.unpack("<IHB", raw[position : position + HEADER])
        if kind == 0 and length == 0:  # the rest of the block is padding
            position += left_in_block
            continue
        payload = raw[position + HEADER : position + HEADER + length]
        position += HEADER + length
        chunks = [payload] if kind in (FULL, FIRST) else [*chunks, payload]
        if kind in (FULL, LAST):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(b"".join(chunks))
            records.append(record)
    return records


@dataclass
class OfflineRun:
    """What a test asks of a run: its config, history rows, summary, files and artifacts."""

    folder: Path
    run_id: str = ""
    name: str = ""
    group: str = ""
    job_type: str = ""
    config: dict = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    artifacts: list[wandb_internal_pb2.ArtifactRecord] = field(default_factory=list)
    exit_code: int | None = None
    step_metrics: dict[str, str] = field(default_factory=dict)  # define_metric: metric (or glob) → its x axis

    @classmethod
    def read(cls, folder: Path) -> OfflineRun:
        run = cls(folder=folder)
        (path,) = folder.glob("run-*.wandb")
        for record in read_records(path):
            kind = record.WhichOneof("record_type")
            if kind == "run":
                r = record.run
                run.run_id, run.name, run.group, run.job_type = r.run_id, r.display_name, r.run_group, r.job_type
                run.config.update({_key(item): json.loads(item.value_json) for item in r.config.update})
            elif kind == "config":
                run.config.update({_key(item): json.loads(item.value_json) for item in record.config.update})
            elif kind == "history":
                run.history.append({_key(item): json.loads(item.value_json) for item in record.history.item})
            elif kind == "summary":
                run.summary.update({_key(item): json.loads(item.value_json) for item in record.summary.update})
            elif kind == "artifact":
                run.artifacts.append(record.artifact)
            elif kind == "exit":
                run.exit_code = record.exit.exit_code
            elif kind == "metric":
                run.step_metrics[record.metric.name or record.metric.glob_name] = record.metric.step_metric
        return run

    def column(self, key: str) -> list:
        return [row[key] for row in self.history if key in row]

    def media(self) -> list[Path]:
        return sorted((self.folder / "files" / "media").rglob("*.*"))


def _key(item) -> str:
    return item.key or "/".join(item.nested_key)


def all_offline_runs(project: Path) -> list[OfflineRun]:
    """Every offline run under ``project/wandb``, oldest first."""
    # A process stopped while W&B was still opening a run leaves that run's folder without records.
    folders = sorted((project / "wandb").glob("offline-run-*"))
    return [OfflineRun.read(folder) for folder in folders if any(folder.glob("run-*.wandb"))]


def offline_runs(project: Path) -> dict[str, OfflineRun]:
    """The latest offline run of each name under ``project/wandb``."""
    return {run.name: run for run in all_offline_runs(project)}
