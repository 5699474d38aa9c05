"""OpenAlex snapshot files → plain records, one partition at a time. No ORM here.

A snapshot is laid out as OpenAlex publishes it: data/works/manifest (Redshift manifest JSON)
listing data/works/updated_date=YYYY-MM-DD/part_NNN.gz partitions of JSON Lines, one work each.
A partition is read whole, once: works.imports.snapshot loads each in one go.
"""

import contextlib
import datetime
import gzip
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from works.sources.http import SourceError
from works.sources.openalex import OpenAlexParseError, parse_work
from works.sources.records import WorkRecord
from works.text import loads_clean, unstorable_escape


class SnapshotError(SourceError):
    """The snapshot on disk is missing a file or holds a broken line."""


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


def read_partition(path: Path) -> Iterator[tuple[int, str, WorkRecord]]:
    """Each work of one partition: its line number, the line itself (the record's payload as
    JSON, unless decoding had to scrub it) and the parsed record."""
    if not path.is_file():
        raise SnapshotError(f"partition {path} listed in the manifest is missing")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = loads_clean(line)
                record = _snapshot_record(data)
            except (ValueError, OpenAlexParseError, AttributeError, TypeError) as error:
                raise SnapshotError(f"{path.name} line {line_number}: {error}") from error
            payload = line if not unstorable_escape(line) else json.dumps(data)
            yield line_number, payload, record
