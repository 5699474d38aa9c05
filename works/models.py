import contextlib
import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q
from django.urls import reverse

from works.sanitize import (
    as_safe_html,
    has_tex_math,
    sanitize_html,
    search_key_of,
    title_key_of,
    to_plain_text,
)
from works.text import INSTITUTION_TYPES


class Institution(models.Model):
    openalex_id = models.CharField(max_length=32, unique=True)
    ror = models.CharField("ROR id", max_length=64, blank=True)
    name = models.CharField(max_length=500)
    country_code = models.CharField(max_length=2, blank=True)
    type = models.CharField(max_length=64, blank=True)
    # Lower-case domains whose addresses count as institutional e-mail (claims, L2).
    email_domains = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("works:institution", kwargs={"openalex_id": self.openalex_id})

    @property
    def type_label(self) -> str:
        return INSTITUTION_TYPES.get(self.type, "")


class Topic(models.Model):
    # "T10888" for OpenAlex topics; "derived:<slug>" for labels derived from works' content.
    external_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300)
    subfield = models.CharField(max_length=300, blank=True)
    field = models.CharField(max_length=300, blank=True)
    domain = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("works:topic", kwargs={"pk": self.pk})

    @property
    def is_derived(self) -> bool:
        return self.external_id.startswith("derived:")


class VerificationLevel(models.IntegerChoices):
    L0 = 0, "L0 – no external authority"
    L1 = 1, "L1 – matched to an external authority, unclaimed"
    L2 = 2, "L2 – claimed, verified by institutional e-mail or a moderator"
    L3 = 3, "L3 – claimed through ORCID sign-in"


class TrustBand(models.TextChoices):
    EMERGING = "emerging", "Emerging"
    ESTABLISHED = "established", "Established"
    TRUSTED = "trusted", "Trusted"


class Researcher(models.Model):
    """The public author record, whether or not its person has claimed it."""

    slug = models.SlugField(max_length=120, unique=True)
    openalex_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    orcid = models.CharField("ORCID iD", max_length=19, unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=300)
    # Folded display name (works.text.fold): how records without ids are matched.
    name_key = models.CharField(max_length=300, db_index=True)
    name_variants = models.JSONField(default=list, blank=True)
    # Folded display name and variants (works.text.fold), what name search matches against.
    search_name = models.TextField(blank=True)
    # Set by ingest when a word of the name mixes Latin with Cyrillic or Greek letters
    # (works.text.name_is_mixed_script): a possible look-alike for a moderator to see.
    name_needs_review = models.BooleanField(
        "name needs review",
        default=False,
        help_text="A word of the name mixes Latin with Cyrillic or Greek letters.",
    )
    # Name forms to search arXiv with ("au:" queries); non-empty means arXiv lists this person.
    arxiv_name_forms = models.JSONField(default=list, blank=True)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="researchers",
        help_text="Last known institution.",
    )
    bio = models.TextField(blank=True)
    # Consent is opt-in: only the holder of the record's claim turns this on.
    open_to_collaborate = models.BooleanField(default=False)
    verification_level = models.PositiveSmallIntegerField(
        choices=VerificationLevel, default=VerificationLevel.L0
    )
    is_claimed = models.BooleanField(default=False)
    # Set when the person holding this record's approved claim also holds the primary's: the
    # records are one person (a split author), and the primary lists the works of both.
    primary = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_records",
    )

    # Out of search engines (noindex, out of the sitemap) and out of the site's own search: set
    # by the holder from the edit page or by a moderator (profiles.services.visibility).
    noindex = models.BooleanField("out of search engines", default=False)
    unlisted = models.BooleanField("out of the site's search", default=False)

    # Cached counts, kept current by the services that change their inputs.
    works_count = models.PositiveIntegerField(default=0)
    followers_count = models.PositiveIntegerField(default=0)
    # The follows trust counts (profiles.stats.trusted_followers): not shown, only scored.
    trusted_followers_count = models.PositiveIntegerField(default=0)
    topics_count = models.PositiveIntegerField(default=0)
    close_collaborators_count = models.PositiveIntegerField(default=0)
    verified_collaborators_count = models.PositiveIntegerField(default=0)
    open_disputes_count = models.PositiveIntegerField(default=0)

    trust_score = models.PositiveSmallIntegerField(default=0)
    trust_band = models.CharField(max_length=16, choices=TrustBand, default=TrustBand.EMERGING)
    # The latest computation's components (profiles.trust), shown as "why this score".
    trust_components = models.JSONField(default=list, blank=True)
    trust_computed_at = models.DateTimeField(null=True, blank=True)

    # OpenAlex's own summary_stats of the author ({"h_index", "i10_index",
    # "2yr_mean_citedness"}), as the author record carried it; None when it carried none.
    openalex_summary = models.JSONField(null=True, blank=True, default=None)
    openalex_synced_at = models.DateTimeField(null=True, blank=True)
    arxiv_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Changes whenever anything the profile page shows changes; cached fragments of the page
    # are keyed by it. Postgres triggers keep it (migration 0017), whoever writes: what a save()
    # sends here is ignored.
    page_version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        # The table keeps the name it had when the model lived in profiles.
        db_table = "profiles_researcher"
        ordering = ["display_name"]
        indexes = [
            # The researcher list's keyset order (profiles.selectors.LISTING_KEYS).
            models.Index(
                F("works_count") * -1,
                F("trust_score") * -1,
                F("display_name"),
                F("id"),
                condition=Q(unlisted=False),
                name="researcher_listing",
            ),
            # An institution's page: people whose last known institution it is, by name.
            models.Index(fields=["institution", "display_name"], name="researcher_by_institution"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("profiles:detail", kwargs={"slug": self.slug})

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""

    @property
    def openalex_url(self) -> str:
        return f"https://openalex.org/{self.openalex_id}" if self.openalex_id else ""


def _hidden(**lookups) -> Exists:
    return Exists(HiddenWork.objects.filter(**lookups))


class WorkQuerySet(models.QuerySet):
    def shown_on(self, researchers) -> "WorkQuerySet":
        """Works on the profile of these records (one person's records, or a single one):
        authored by one of them, hidden as "not mine" by none of them, and not a version of
        another work the profile shows (a preprint of a shown article is shown within it).
        The one rule for which works a profile shows; its counts, feed, Atom, digest and graph
        use it too."""
        authored = Authorship.objects.filter(researcher__in=researchers, work=OuterRef("pk"))
        primary_shown = Exists(
            Authorship.objects.filter(researcher__in=researchers, work=OuterRef("version_of"))
        ) & ~_hidden(researcher__in=researchers, work=OuterRef("version_of"))
        return (
            self.filter(Exists(authored))
            .exclude(_hidden(researcher__in=researchers, work=OuterRef("pk")))
            .exclude(Q(version_of__isnull=False) & primary_shown)
        )


class AuthorshipQuerySet(models.QuerySet):
    def shown(self) -> "AuthorshipQuerySet":
        """Bylines whose work the record's owner has not hidden (WorkQuerySet.shown_on's rule,
        one byline at a time): also not a version of another work the same record shows."""
        primary_shown = Exists(
            Authorship.objects.filter(
                researcher=OuterRef("researcher_id"), work=OuterRef("work__version_of")
            )
        ) & ~_hidden(researcher=OuterRef("researcher_id"), work=OuterRef("work__version_of"))
        return self.exclude(
            _hidden(researcher=OuterRef("researcher_id"), work=OuterRef("work_id"))
        ).exclude(Q(work__version_of__isnull=False) & primary_shown)


class FeedDate(Func):
    """When a work appeared, for the feed's newest first: its publication date, else January 1
    of its year, else year 1 (undated works last); never the import time (an undated 2019
    preprint imported today is not new). Never NULL, so a plain descending index serves it on
    Postgres and SQLite alike (SQLite's indexes take no NULLS LAST, and it has no make_date)."""

    output_field = models.DateField()

    def __init__(self):
        super().__init__(F("publication_date"), F("publication_year"))

    def _coalesce(self, compiler, connection, *, year_start: str, undated: str):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        year_sql, year_params = compiler.compile(self.source_expressions[1])
        sql = f"COALESCE({date_sql}, {year_start.format(year_sql)}, {undated})"
        return sql, (*date_params, *year_params)

    def as_sql(self, compiler, connection, **extra_context):
        return self._coalesce(
            compiler, connection, year_start="make_date({}, 1, 1)", undated="DATE '0001-01-01'"
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._coalesce(
            compiler, connection, year_start="date(({}) || '-01-01')", undated="'0001-01-01'"
        )


def feed_date() -> FeedDate:
    return FeedDate()


class Work(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    openalex_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    doi = models.CharField("DOI", max_length=255, unique=True, null=True, blank=True)
    arxiv_id = models.CharField("arXiv id", max_length=64, unique=True, null=True, blank=True)
    # Sanitised HTML (works.sanitize); render with title_html / abstract_html.
    title = models.TextField()
    title_key = models.CharField(max_length=500, db_index=True)
    abstract = models.TextField(blank=True)
    # The abstract's words for the full-text index (works.sanitize.search_key_of), beside
    # title_key: folded, without markup or TeX, so both databases search the same words.
    abstract_key = models.TextField(blank=True, editable=False)
    type = models.CharField(max_length=64, blank=True)
    venue = models.CharField(max_length=500, blank=True)
    publication_date = models.DateField(null=True, blank=True)
    publication_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # None: no source reported a count (arXiv and the demo do not count citations).
    citation_count = models.PositiveIntegerField(null=True, blank=True, default=None)
    # OpenAlex's counts_by_year ([{"year", "cited_by_count"}]); None when no source sent it.
    citations_by_year = models.JSONField(null=True, blank=True, default=None)
    # When the source's record of the count was current (the fetch, or a snapshot's date).
    citations_synced_at = models.DateTimeField(null=True, blank=True)
    # The open-access copy (OpenAlex best_oa_location.pdf_url, else open_access.oa_url).
    oa_url = models.CharField("open-access URL", max_length=1000, blank=True)
    # Which sources supplied this work and when: {"openalex": iso time, "arxiv": …}.
    synced = models.JSONField(default=dict, blank=True)
    # The primary version when this work is another version of it (a preprint of a published
    # article): works.ingest.versions recomputes it on import.
    version_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    is_retracted = models.BooleanField(default=False)
    authors_count = models.PositiveIntegerField(default=0)
    # The record as the source sent it, so it can be re-processed without another request.
    source_payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    topics = models.ManyToManyField(Topic, through="WorkTopic", related_name="works")

    objects = WorkQuerySet.as_manager()

    class Meta:
        ordering = ["-publication_year", "title_key"]
        indexes = [
            models.Index(fields=["-publication_year", "title_key"], name="work_listing"),
            # The follow feed's order (social.selectors.feed_works): newest first, so its first
            # page stops after a few hundred works instead of sorting them all.
            models.Index(
                feed_date().desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="work_feed_order",
            ),
            # A topic's most cited works (works.selectors.topic_works): a large topic's first
            # few are found walking this index rather than sorting all of the topic's works.
            models.Index(
                F("citation_count").desc(nulls_last=True),
                F("publication_year").desc(),
                F("title_key"),
                name="work_most_cited",
            ),
        ]

    def __str__(self):
        return self.plain_title

    def save(self, *args, **kwargs):
        # Templates mark the title and abstract safe (title_html, abstract_html), so whatever
        # saves one work (the admin, a shell, a service) stores them sanitised, and the title's
        # key follows the title. Sanitising is idempotent. Imports write in bulk, which skips
        # save(); works.ingest sanitises there.
        self.title = sanitize_html(self.title) or "Untitled work"
        self.abstract = sanitize_html(self.abstract)
        self.title_key = title_key_of(self.title)
        self.abstract_key = search_key_of(self.abstract)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            update_fields = {*update_fields, "title_key"}
        if update_fields is not None and "abstract" in update_fields:
            update_fields = {*update_fields, "abstract_key"}
        if update_fields is not None:
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("works:detail", kwargs={"slug": self.slug})

    @property
    def title_html(self):
        return as_safe_html(self.title)

    @property
    def abstract_html(self):
        return as_safe_html(self.abstract)

    @property
    def title_has_math(self) -> bool:
        return has_tex_math(self.title)

    @property
    def abstract_has_math(self) -> bool:
        return has_tex_math(self.abstract)

    @property
    def plain_title(self) -> str:
        return to_plain_text(self.title)

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def citations_source(self) -> str:
        """Who counted the citations: the source that last supplied an OpenAlex record."""
        if self.citation_count is None:
            return ""
        snapshot, api = self.synced.get("snapshot", ""), self.synced.get("openalex", "")
        return "OpenAlex snapshot" if snapshot > api else "OpenAlex"

    @property
    def sources_seen(self) -> list[tuple[str, "datetime.datetime | None"]]:
        """[(source label, when it last supplied this work)], newest first; a work imported
        before sources were noted names the ones its ids imply, undated."""
        labels = {
            "openalex": "OpenAlex",
            "snapshot": "OpenAlex snapshot",
            "arxiv": "arXiv",
            "demo": "the demo file",
        }
        seen = []
        for name, when in self.synced.items():
            with contextlib.suppress(TypeError, ValueError):
                seen.append((labels.get(name, name), datetime.datetime.fromisoformat(when)))
        if not seen:
            if self.openalex_id:
                seen.append(("OpenAlex", None))
            if self.arxiv_id:
                seen.append(("arXiv", None))
        return sorted(
            seen,
            key=lambda item: item[1] or datetime.datetime.min.replace(tzinfo=datetime.UTC),
            reverse=True,
        )

    @property
    def version_label(self) -> str:
        """What kind of version this is, for a list of versions: "arXiv", "journal (DOI)"…"""
        if self.arxiv_id and (self.type == "preprint" or not self.doi):
            return "arXiv"
        kind = {"preprint": "preprint", "article": "journal", "review": "journal"}.get(
            self.type, self.type or "version"
        )
        return f"{kind} (DOI)" if self.doi else kind


class MatchMethod(models.TextChoices):
    """How ingest decided that a byline's author is this researcher record."""

    OPENALEX = "openalex", "OpenAlex author id"
    ORCID = "orcid", "ORCID iD"
    NAME_COAUTHOR = "name_coauthor", "name plus a shared co-author"
    PINNED = "pinned", "name, in an import asked for this person"
    NAME = "name", "name only"


class Authorship(models.Model):
    # Both are indexed by the constraints and the index below, which lead with them; their own
    # indexes only cost every byline written (works migration 0027).
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="authorships", db_index=False
    )
    researcher = models.ForeignKey(
        "Researcher", on_delete=models.CASCADE, related_name="authorships", db_index=False
    )
    position = models.PositiveIntegerField(help_text="Byline order, starting at 0.")
    raw_author_name = models.CharField(max_length=500, blank=True)
    raw_affiliation = models.TextField(blank=True)
    institutions = models.ManyToManyField(Institution, blank=True, related_name="authorships")
    match_method = models.CharField(max_length=16, choices=MatchMethod, default=MatchMethod.NAME)

    objects = AuthorshipQuerySet.as_manager()

    class Meta:
        ordering = ["work", "position"]
        constraints = [
            models.UniqueConstraint(fields=["work", "position"], name="authorship_unique_position"),
            models.UniqueConstraint(
                fields=["work", "researcher"], name="authorship_unique_researcher"
            ),
        ]
        indexes = [models.Index(fields=["researcher", "work"], name="authorship_by_researcher")]

    def __str__(self):
        return f"{self.researcher} on {self.work}"

    # How sure a match method makes us that the byline names this person, in words.
    CONFIDENCE = {
        MatchMethod.OPENALEX: "High: the source names this author by a persistent id.",
        MatchMethod.ORCID: "High: the source names this author by ORCID iD.",
        MatchMethod.NAME_COAUTHOR: "Medium: the name matches and a co-author is shared.",
        MatchMethod.PINNED: "Medium: the name matches, in an import asked for this person.",
        MatchMethod.NAME: "Low: only the name matches.",
    }

    @property
    def match_confidence(self) -> str:
        return self.CONFIDENCE.get(self.match_method, self.CONFIDENCE[MatchMethod.NAME])


class HiddenWork(models.Model):
    """A work the record's owner says is not theirs. Kept apart from the authorship row, which
    re-imports rewrite, so the hiding survives them."""

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="hidden_works"
    )
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="hidden_on_profiles")
    reason = models.TextField(max_length=500)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "profiles_hiddenwork"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "work"], name="hiddenwork_one_per_researcher_work"
            ),
        ]

    def __str__(self):
        return f"{self.researcher} hides {self.work_id}"


class VersionSplit(models.Model):
    """Two works the owner of a record says are different works, not versions of one: the
    grouping (works.ingest.versions) never joins them again. work_id < other_id."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    researcher = models.ForeignKey(
        Researcher, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    split_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "other"], name="versionsplit_one_per_pair"),
            models.CheckConstraint(
                condition=Q(work__lt=F("other")), name="versionsplit_ordered_pair"
            ),
        ]

    def __str__(self):
        return f"{self.work_id} is not a version of {self.other_id}"


class WorkTopic(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE)
    score = models.FloatField(default=1.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "topic"], name="worktopic_unique"),
        ]
        indexes = [models.Index(fields=["topic", "work"], name="worktopic_by_topic")]

    def __str__(self):
        return f"{self.topic} on {self.work}"


class ImportRunQuerySet(models.QuerySet):
    def active(self) -> "ImportRunQuerySet":
        """Runs not finished: queued, running or paused (the importrun_active index)."""
        return self.filter(state__in=ImportRun.ACTIVE_STATES)


class ImportRun(models.Model):
    class Source(models.TextChoices):
        DEMO = "demo", "Demo data"
        OPENALEX = "openalex", "OpenAlex"
        ARXIV = "arxiv", "arXiv"
        SNAPSHOT = "snapshot", "OpenAlex snapshot"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=16, choices=Source)
    # What was asked, e.g. {"openalex": "A5023888391"}, {"arxiv": "Ada Lovelace"}, {"path": …}.
    request = models.JSONField(default=dict)
    researcher = models.ForeignKey(
        "Researcher",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    state = models.CharField(max_length=16, choices=State, default=State.QUEUED)
    message = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    cursor = models.TextField(blank=True)
    # Researchers whose graph and counts the committed pages changed; refreshed once, at the
    # end of each slice of work, and kept here so a crash does not lose them.
    pending_researcher_ids = models.JSONField(default=list, blank=True)
    # Of those, the ones whose collaboration pairs may have changed.
    pending_graph_researcher_ids = models.JSONField(default=list, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    requests_made = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    # Failed attempts so far; at IMPORT_MAX_ATTEMPTS the run fails for good.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not before this time: a pause (request budget spent) or a retry's backoff.
    resume_at = models.DateTimeField(null=True, blank=True)
    # A running run belongs to the worker holding lease_token until lease_expires_at; a queued
    # run is expected to be picked up by then. The sweeper re-queues runs past it.
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    ACTIVE_STATES = (State.QUEUED, State.RUNNING, State.PAUSED)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["state", "lease_expires_at"],
                name="importrun_active",
                condition=Q(state__in=["queued", "running", "paused"]),
            )
        ]

    def __str__(self):
        return f"{self.get_source_display()} import #{self.pk} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def works_seen(self) -> int:
        """Works the run has taken in so far, new or not."""
        return sum(
            self.counts.get(name, 0)
            for name in ("works_created", "works_updated", "works_unchanged")
        )

    @property
    def target(self) -> str:
        return ", ".join(
            f"{key} {value}" for key, value in self.request.items() if key != "author_id"
        )


class SnapshotPartition(models.Model):
    """One partition file of a snapshot import (works.imports.snapshot): the unit a worker
    claims, loads in one go and marks done with its rows, so a crash redoes that partition
    only and a done one is never loaded again by the same run."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="partitions")
    # The manifest entry's position, and its file as the manifest maps it on disk.
    index = models.PositiveIntegerField()
    path = models.TextField()
    state = models.CharField(max_length=16, choices=State, default=State.QUEUED)
    message = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    # Whom the partition touched, for the graph and counts pass once every partition is in.
    researcher_ids = models.JSONField(default=list, blank=True)
    graph_researcher_ids = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="snapshotpartition_unique"),
        ]

    def __str__(self):
        return f"partition {self.index} of import #{self.run_id} ({self.state})"
