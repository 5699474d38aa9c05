"""The nightly trust batch (profiles.stats.trust_batch_recompute: set-based SQL that looks up
the components profiles.trust computes once per distinct fact value) on RESEARCHERS generated
researchers, next to a per-row Python loop doing the same work (read the row, compute_trust,
save the changed fields, create a TrustAssessment), measured in the same run.

The data (bench.data.researchers, deterministic, written with COPY into emptied domain
tables): researchers with verification levels L0-L3, 0-300 works, ORCID iDs and OpenAlex ids on
about half, 0-8 verified collaborators, 0-10,000 followers (log-uniform) and a few open
disputes; no trust computed yet, so every row changes on the first computation.

The Python loop runs on an evenly spaced sample of LOOP_SAMPLE researchers (every
RESEARCHERS / LOOP_SAMPLE-th id) in one transaction, and its time is extrapolated to all of
them; it scales linearly, one SELECT batch plus an UPDATE and an INSERT per row. The trust
columns and assessments are then reset, and the batch timed over every researcher, then again
with nothing to change. The sample's scores, bands and components from the two paths are
compared.

The bench database is emptied and the demo data reloaded at the end, as bench/import_speed.py
does.
"""

import time

SEED = 20260602
RESEARCHERS = 100_000
LOOP_SAMPLE = 5_000


def python_loop(sample_ids: list[int]) -> dict:
    """The baseline: what a per-row job would do. Returns each row's (score, band, components)."""
    from django.db import transaction
    from django.utils import timezone

    from profiles.models import TrustAssessment
    from profiles.stats import trust_facts
    from profiles.trust import compute_trust
    from works.models import Researcher

    results = {}
    with transaction.atomic():
        for researcher in Researcher.objects.filter(pk__in=sample_ids).iterator(chunk_size=1000):
            result = compute_trust(trust_facts(researcher))
            components = result.components_as_dicts()
            results[researcher.pk] = (result.score, result.band, components)
            if (
                result.score != researcher.trust_score
                or result.band != researcher.trust_band
                or components != researcher.trust_components
                or researcher.trust_computed_at is None
            ):
                researcher.trust_score, researcher.trust_band = result.score, result.band
                researcher.trust_components = components
                researcher.trust_computed_at = timezone.now()
                researcher.save(
                    update_fields=[
                        "trust_score",
                        "trust_band",
                        "trust_components",
                        "trust_computed_at",
                        "updated_at",
                    ]
                )
                TrustAssessment.objects.create(
                    researcher=researcher,
                    score=result.score,
                    band=result.band,
                    components=components,
                )
    return results


def trust_reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE profiles_researcher SET trust_score = 0, trust_band = 'emerging', "
            "trust_components = '[]'::jsonb, trust_computed_at = NULL"
        )
        cursor.execute("TRUNCATE profiles_trustassessment")
        cursor.execute("VACUUM ANALYZE profiles_researcher")


def bench_trust_batch(bench, *, print_table) -> None:
    from django.db import connection

    from bench.data import researchers
    from bench.import_speed import truncate
    from bzpeer.db import bulk_insert
    from profiles.models import TrustAssessment
    from profiles.stats import trust_batch_recompute
    from works.models import Researcher
    from works.services import demo_data_load

    started = time.perf_counter()
    truncate()
    start = time.perf_counter()
    bulk_insert(Researcher, researchers(RESEARCHERS, seed=SEED, name="Trust Bench"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_researcher")
    setup = time.perf_counter() - start
    ids = sorted(Researcher.objects.values_list("pk", flat=True))
    sample_ids = ids[:: len(ids) // LOOP_SAMPLE][:LOOP_SAMPLE]

    start = time.perf_counter()
    loop_results = python_loop(sample_ids)
    loop_seconds = time.perf_counter() - start
    loop_extrapolated = loop_seconds * len(ids) / len(sample_ids)

    trust_reset()
    start = time.perf_counter()
    changed = trust_batch_recompute()
    batch_seconds = time.perf_counter() - start
    assessments = TrustAssessment.objects.count()
    start = time.perf_counter()
    unchanged = trust_batch_recompute()
    again_seconds = time.perf_counter() - start

    stored = {
        pk: (score, band, components)
        for pk, score, band, components in Researcher.objects.filter(pk__in=sample_ids).values_list(
            "pk", "trust_score", "trust_band", "trust_components"
        )
    }
    differ = sum(1 for pk, values in loop_results.items() if stored[pk] != values)

    truncate()
    demo_data_load()

    print_table(
        f"Trust recomputation: {len(ids):,} generated researchers, every row changing (s)",
        ["", "seconds", "rows changed"],
        [
            ["trust_batch_recompute (set-based)", f"{batch_seconds:.2f}",
             f"{changed:,} ({assessments:,} assessments)"],
            ["trust_batch_recompute again, nothing to change", f"{again_seconds:.2f}",
             f"{unchanged:,}"],
            [f"per-row Python loop, {len(sample_ids):,}-row sample (measured)",
             f"{loop_seconds:.2f}", f"{len(loop_results):,}"],
            [f"per-row Python loop, extrapolated x{len(ids) / len(sample_ids):.0f} to "
             f"{len(ids):,}", f"{loop_extrapolated:.1f}", ""],
        ],
    )  # fmt: skip
    print(f"  ratio Python loop (extrapolated) / batch: {loop_extrapolated / batch_seconds:.1f}x")
    print(
        f"  same score, band and components on the {len(sample_ids):,} sampled rows: "
        + ("yes" if not differ else f"NO, {differ} differ")
    )
    print(
        f"  set-up: generate + COPY {setup:.1f} s; trust benchmark done in "
        f"{time.perf_counter() - started:.1f} s"
    )
