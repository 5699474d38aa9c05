"""OpenAlex snapshot files → plain records, streamed, resumable by position. No ORM here.

A snapshot is laid out as OpenAlex publishes it: data/works/manifest (Redshift manifest JSON)
listing data/works/updated_date=YYYY-MM-DD/part_NNN.gz partitions of JSON Lines, one work each.
"""

import contextlib
import datetime
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from works.sources.http import SourceError
from works.sources.openalex import OpenAlexParseError, parse_work
from works.sources.records import WorkRecord
from works.text import loads_clean


class SnapshotError(SourceError):
    """The snapshot on disk is missing a file or holds a broken line."""


@dataclass(frozen=True)
class Position:
    """Where reading resumes: the manifest entry and the number of lines already taken."""

    entry: int = 0
    line: int = 0

    @classmethod
    def parse(cls, cursor: str) -> "Position":
        if not cursor:
            return cls()
        entry, line = cursor.split(":")
        return cls(int(entry), int(line))

    def __str__(self) -> str:
        return f"{self.entry}:{self.line}"


def find_manifest(path: Path) -> Path:
    for candidate in (
        path,
        path / "manifest",
        path / "works" / "manifest",
        path / "data" / "works" / "manifest",
    ):
        if candidate.is_file():
            return candidate
    raise SnapshotError(f"no works manifest under {path} (looked for data/works/manifest)")


def partitions(manifest: Path) -> list[Path]:
    """The file of each manifest entry, mapped from s3:// to the local copy."""
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["entries"]
    except (ValueError, KeyError, TypeError) as error:
        raise SnapshotError(f"{manifest} is not a snapshot manifest: {error}") from error
    folder = manifest.parent
    found = []
    for entry in entries:
        url = entry.get("url", "")
        # s3://openalex/data/works/updated_date=…/part_000.gz → <folder>/updated_date=…/part_000.gz
        relative = url.split("/data/works/", 1)[-1]
        found.append(folder / relative)
    return found


def _snapshot_record(data: dict) -> WorkRecord:
    """A snapshot line's work, dated by its updated_date: its counts were current then, not
    when it was read."""
    as_of = None
    with contextlib.suppress(TypeError, ValueError):
        as_of = datetime.datetime.fromisoformat(data.get("updated_date") or "")
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=datetime.UTC)
    return replace(parse_work(data), source="snapshot", as_of=as_of)


def read_batches(
    manifest: Path, *, start: Position, batch_size: int = 1000
) -> Iterator[tuple[list[WorkRecord], Position]]:
    """Yields each batch with the position after it, from start on."""
    for entry_index, path in enumerate(partitions(manifest)):
        if entry_index < start.entry:
            continue
        if not path.is_file():
            raise SnapshotError(f"partition {path} listed in the manifest is missing")
        skip = start.line if entry_index == start.entry else 0
        batch: list[WorkRecord] = []
        line_number = 0
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line_number, line in enumerate(lines, start=1):
                if line_number <= skip or not line.strip():
                    continue
                try:
                    batch.append(_snapshot_record(loads_clean(line)))
                except (ValueError, OpenAlexParseError) as error:
                    raise SnapshotError(f"{path.name} line {line_number}: {error}") from error
                if len(batch) >= batch_size:
                    yield batch, Position(entry_index, line_number)
                    batch = []
        yield batch, Position(entry_index + 1, 0)
