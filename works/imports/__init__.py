"""Imports: runs that bring a source's records in, page by page, and the pipeline each page
goes through (ingest, then records_changed: collaborations, then counts and trust).

- queue: creating runs and putting them in the queue (a researcher's refresh, the sweep);
- lease: which worker holds a run, and the checkpoint that commits each page;
- importers: how a run reads each source (OpenAlex, arXiv, a snapshot on disk);
- snapshot: a snapshot's partitions as units of work: claimed, loaded set-based, then the
  final pass (graph and counts) once all are in;
- execute: one slice of work on a run, and how it ended;
- pipeline: ingest, then the records_changed announcement;
- demo: the demo data, through the same pipeline.

works.services re-exports the services the other layers call.
"""
