"""What one ingest call did, counted, and who it touched."""

from dataclasses import dataclass, field


@dataclass
class IngestResult:
    works_created: int = 0
    works_updated: int = 0
    works_unchanged: int = 0
    duplicates_skipped: int = 0
    authorships_written: int = 0
    researchers_created: int = 0
    researchers_updated: int = 0
    # Works with more authors than GRAPH_MAX_AUTHORS_FOR_EDGES, and the pairs they did not make.
    hyperauthored_works: int = 0
    edges_skipped: int = 0
    work_ids: list[int] = field(default_factory=list)
    # Researchers whose counts and trust may have changed, and the subset whose collaboration
    # pairs may have (authors of changed works small enough to make pairs).
    researcher_ids: set[int] = field(default_factory=set)
    graph_researcher_ids: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            name: value
            for name, value in vars(self).items()
            if isinstance(value, int) and not isinstance(value, bool)
        }

    def add(self, other: "IngestResult") -> None:
        for name, value in other.counts().items():
            setattr(self, name, getattr(self, name) + value)
        self.work_ids.extend(other.work_ids)
        self.researcher_ids |= other.researcher_ids
        self.graph_researcher_ids |= other.graph_researcher_ids
