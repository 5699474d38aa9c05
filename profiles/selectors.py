"""Reads of researcher records, with the joins each page needs."""

import re

from django.db.models import Count, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery

from profiles.models import Claim, ClaimDispute, TrustAssessment, User
from profiles.stats import trust_facts
from profiles.trust import compute_trust, trust_advice
from works import metrics
from works.models import Authorship, HiddenWork, Researcher, Topic, Work

OPENALEX_AUTHOR_ID = re.compile(r"^[Aa]\d{4,12}$")


def researcher_get(*, slug: str) -> Researcher:
    """Raises Researcher.DoesNotExist. The row alone: its institution and primary appear only
    in the parts of the profile the page cache keeps, so joining them would cost every request
    for the sake of a few."""
    return Researcher.objects.get(slug=slug)


def researcher_page_version(*, slug: str) -> tuple[int, int] | None:
    """The id and page_version of the record at this slug, all a cached page needs."""
    return Researcher.objects.filter(slug=slug).values_list("pk", "page_version").first()


def researcher_slug_for_identifier(*, identifier: str) -> str | None:
    """The slug of the researcher an OpenAlex author id (such as A5023888391) names."""
    if not OPENALEX_AUTHOR_ID.match(identifier):
        return None
    return (
        Researcher.objects.filter(openalex_id=identifier.upper())
        .values_list("slug", flat=True)
        .first()
    )


def researcher_record_ids(*, researcher: Researcher) -> QuerySet[Researcher]:
    """The ids of the records that are this person (the record and those linked to it), as a
    subquery: a linked record itself has no records linked to it."""
    return Researcher.objects.filter(Q(pk=researcher.pk) | Q(primary_id=researcher.pk)).values("pk")


def researcher_linked_records(*, researcher: Researcher) -> list[Researcher]:
    return list(researcher.linked_records.order_by("display_name", "pk"))


def researcher_works(*, researcher: Researcher) -> QuerySet[Work]:
    """The researcher's works, newest first, each with its byline prefetched: on a primary
    record, the union of its works and those of the records linked to it, each work once.
    Works the owner hid as misattributed on any of these records are left out. Each work's
    `record_slug` names the record that authored it (for the owner's "hide" link)."""
    byline = Authorship.objects.select_related("researcher").only(
        "work_id",
        "position",
        "match_method",
        "raw_author_name",
        "researcher__display_name",
        "researcher__slug",
    )
    versions = Work.objects.defer("source_payload", "abstract").order_by("publication_year", "pk")
    records = researcher_record_ids(researcher=researcher)
    authored = Authorship.objects.filter(researcher__in=records, work=OuterRef("pk"))
    return (
        Work.objects.shown_on(records)
        .annotate(
            record_slug=Subquery(authored.order_by("position", "pk").values("researcher__slug")[:1])
        )
        .defer("source_payload")
        .order_by("-publication_year", "title_key", "pk")
        .prefetch_related(
            Prefetch("authorships", queryset=byline.order_by("position")),
            Prefetch("versions", queryset=versions),
        )
    )


CHART_WIDTH, CHART_HEIGHT = 600, 120


def researcher_metrics(*, researcher: Researcher) -> dict:
    """Works, citations, h-index and i10-index of the works the profile shows, from their
    stored counts (works.metrics, docs/metrics.md), and the per-year rows of its chart. One
    query, whatever the number of works."""
    rows = list(
        Work.objects.shown_on(researcher_record_ids(researcher=researcher)).values_list(
            "publication_year", "citation_count", "citations_by_year", "citations_synced_at"
        )
    )
    counts = [row[1] for row in rows]
    known = [count for count in counts if count is not None]
    years = metrics.per_year((row[0], row[2]) for row in rows)
    synced = [row[3] for row in rows if row[3] is not None]
    return {
        "works": len(rows),
        "counted": len(known),
        "citations": sum(known) if known else None,
        "h_index": metrics.h_index(counts) if known else None,
        "i10_index": metrics.i10_index(counts) if known else None,
        "as_of": max(synced) if synced else None,
        "openalex": _openalex_summary(researcher),
        "years": years,
        "first_year": years[0].year if years else None,
        "last_year": years[-1].year if years else None,
        "chart": {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "bar_width": round(CHART_WIDTH / len(years) * 0.7, 1) if years else 0,
            "works": metrics.bars(years, field="works", width=CHART_WIDTH, height=CHART_HEIGHT),
            "citations": metrics.bars(
                years, field="citations", width=CHART_WIDTH, height=CHART_HEIGHT
            ),
            "most_works": max((row.works for row in years), default=0),
            "most_citations": max((row.citations for row in years), default=0),
            "ticks": _year_ticks(years),
        },
    }


def _year_ticks(years: list) -> list[dict]:
    """Where to print years under the chart: about eight, always the first and the last."""
    if not years:
        return []
    step = CHART_WIDTH / len(years)
    every = -(-len(years) // 8)
    shown = [i for i in range(len(years)) if i % every == 0 and len(years) - 1 - i >= every / 2]
    return [
        {"x": round(i * step + step / 2, 1), "year": years[i].year}
        for i in [*shown, len(years) - 1]
    ]


def _openalex_summary(researcher: Researcher) -> dict | None:
    summary = researcher.openalex_summary
    if not summary:
        return None
    return {
        "h_index": summary.get("h_index"),
        "i10_index": summary.get("i10_index"),
        "mean_citedness": summary.get("2yr_mean_citedness"),
        "as_of": researcher.openalex_synced_at,
    }


def researcher_work_facets(*, researcher: Researcher) -> dict:
    """What the works list can be filtered by: the types and topics of the works shown."""
    shown = Work.objects.shown_on(researcher_record_ids(researcher=researcher))
    types = shown.exclude(type="").values_list("type", flat=True).order_by("type").distinct()
    topics = (
        Topic.objects.filter(worktopic__work__in=shown)
        .annotate(n=Count("worktopic__work", distinct=True))
        .order_by("-n", "name")
        .values_list("pk", "name")[:50]
    )
    return {"types": list(types), "topics": list(topics)}


def researcher_coauthors(*, researcher: Researcher) -> QuerySet:
    """Everyone on the bylines of the works the profile shows, with how many of those works
    they share and in which years; most shared first."""
    records = researcher_record_ids(researcher=researcher)
    return (
        Authorship.objects.filter(work__in=Work.objects.shown_on(records))
        .exclude(researcher__in=records)
        .values("researcher__slug", "researcher__display_name")
        .annotate(
            shared=Count("work", distinct=True),
            first_year=Min("work__publication_year"),
            last_year=Max("work__publication_year"),
        )
        .order_by("-shared", "researcher__display_name", "researcher__slug")
    )


def researcher_export_works(*, researcher: Researcher) -> QuerySet[Work]:
    """What the profile's export lists: the works its page shows (linked records' included)."""
    return Work.objects.shown_on(researcher_record_ids(researcher=researcher))


def researcher_visibility_events(*, researcher: Researcher, limit: int = 10):
    return list(researcher.visibility_events.select_related("actor")[:limit])


# The researcher list's order (most works, then highest trust, then by name) as ascending keys
# for keyset pages (bzpeer.keyset): the counts negated, as the researcher_listing index has them.
LISTING_KEYS = ("fewest_works", "lowest_trust", "display_name", "pk")


def researchers_listed() -> QuerySet[Researcher]:
    """Listed researchers (not unlisted), annotated with LISTING_KEYS' negated counts."""
    return (
        Researcher.objects.select_related("institution")
        .filter(unlisted=False)
        .annotate(fewest_works=-F("works_count"), lowest_trust=-F("trust_score"))
    )


def featured_researchers(*, limit: int = 6) -> QuerySet[Researcher]:
    return researchers_listed().order_by(*LISTING_KEYS)[:limit]


def claim_open(*, user: User, researcher: Researcher) -> Claim | None:
    """The user's pending claim on this record, if any (at most one: a constraint)."""
    return Claim.objects.pending().filter(user=user, researcher=researcher).first()


def claim_approved(*, researcher: Researcher) -> Claim | None:
    """The record's approved claim, if any (at most one: a constraint)."""
    return Claim.objects.holding(researcher).select_related("user").first()


def researcher_link_candidates(*, user: User, researcher: Researcher) -> QuerySet[Researcher]:
    """The user's other records with an approved claim: those they may say are also them."""
    return (
        Researcher.objects.filter(pk__in=Claim.objects.held_by(user).values("researcher_id"))
        .exclude(pk=researcher.pk)
        .order_by("display_name", "pk")
    )


def researcher_hidden_works(*, researcher: Researcher) -> QuerySet[HiddenWork]:
    return HiddenWork.objects.filter(researcher=researcher).select_related("work")


def researcher_trust_advice(*, researcher: Researcher) -> list[str]:
    """How the owner can raise the score, from the latest computation (or a fresh one when the
    score has never been computed)."""
    components = researcher.trust_components or (
        compute_trust(trust_facts(researcher)).components_as_dicts()
    )
    return trust_advice(components)


def dispute_open(*, user: User, researcher: Researcher) -> ClaimDispute | None:
    """The user's open dispute about this record's claim, if any."""
    return ClaimDispute.objects.open().filter(user=user, claim__researcher=researcher).first()


def trust_history(*, researcher: Researcher, limit: int = 5) -> list[dict]:
    """The latest computations of the score, newest first, each saying which components moved
    since the one before: [{"computed_at", "score", "band", "changes": ["Verification L3 +30"]}]."""
    rows = list(
        TrustAssessment.objects.filter(researcher=researcher).order_by("-computed_at", "-pk")[
            : limit + 1
        ]
    )
    history = []
    for index, newer in enumerate(rows):
        older = rows[index + 1] if index + 1 < len(rows) else None
        if len(history) == limit:
            break
        before = {c["key"]: c for c in older.components} if older else {}
        changes = []
        for component in newer.components:
            previous = before.get(component["key"])
            delta = component["points"] - (previous["points"] if previous else 0)
            if older and delta:
                changes.append(f"{component['label']} {delta:+d}")
        history.append(
            {
                "computed_at": newer.computed_at,
                "score": newer.score,
                "band": newer.get_band_display(),
                "changes": changes if older else ["First computation"],
            }
        )
    return history
