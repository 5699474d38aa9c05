from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from works import citations, exports, linked_data, selectors
from works.models import ImportRun

IMPORT_RUNS_PER_PAGE = 50
ERRORS_SHOWN = 10
COUNT_LABELS = {
    "total": "Works at the source",
    "works_created": "Works created",
    "works_updated": "Works updated",
    "works_unchanged": "Works unchanged",
    "duplicates_skipped": "Duplicates skipped",
    "authorships_written": "Authorships written",
    "researchers_created": "Researchers created",
    "researchers_updated": "Researchers updated",
    "hyperauthored_works": "Works with very long author lists",
    "edges_skipped": "Co-author pairs not built",
    "merged_from": "OpenAlex id merged from",
}


Found = TypeVar("Found")


def _or_404(selector: Callable[..., Found], message: str, **lookup) -> Found:
    """What the selector finds, or a 404 page saying what was not found."""
    try:
        return selector(**lookup)
    except ObjectDoesNotExist:
        raise Http404(message) from None


def _format_or_404(name: str) -> exports.ExportFormat:
    if name not in exports.FORMATS:
        raise Http404("No export has this format.")
    return exports.FORMATS[name]


def export_response(fmt: exports.ExportFormat, references, filename: str, *, stream: bool):
    """A download of references in a format: streamed for lists, whole for one work."""
    chunks = fmt.stream(references)
    if stream:
        response = StreamingHttpResponse(chunks, content_type=fmt.content_type)
    else:
        response = HttpResponse("".join(chunks), content_type=fmt.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt.extension}"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def work_detail(request, slug):
    work = _or_404(selectors.work_get, "No work has this address.", slug=slug)
    reference = exports.work_reference(work)
    context = {
        "work": work,
        "canonical_url": settings.SITE_URL + work.get_absolute_url(),
        "json_ld": linked_data.work_json_ld(work),
        "citation_meta": linked_data.citation_meta(work),
        "cite": [
            (label, citations.formatted(reference, name))
            for name, label in citations.STYLES.items()
        ],
        "export_formats": exports.FORMATS.values(),
        "versions": selectors.work_versions(work=work),
    }
    return render(request, "works/work_detail.html", context)


@require_GET
def work_export(request, slug, fmt):
    export_format = _format_or_404(fmt)
    work = _or_404(selectors.work_get, "No work has this address.", slug=slug)
    references = citations.with_keys([exports.work_reference(work)])
    return export_response(export_format, references, work.slug, stream=False)


@require_GET
def topic_detail(request, pk):
    topic, works, people, sampled = _or_404(
        selectors.topic_page, "No topic has this number.", pk=pk
    )
    context = {
        "topic": topic,
        "works": works,
        "people": people,
        "sample": f"{selectors.SUMMARY_SAMPLE:,}" if sampled else "",
        "canonical_url": settings.SITE_URL + topic.get_absolute_url(),
    }
    return render(request, "works/topic_detail.html", context)


@require_GET
def institution_detail(request, openalex_id):
    institution, people, works, sampled = _or_404(
        selectors.institution_page, "No institution has this id.", openalex_id=openalex_id
    )
    context = {
        "institution": institution,
        "people": people,
        "works": works,
        "sample": f"{selectors.SUMMARY_SAMPLE:,}" if sampled else "",
        "canonical_url": settings.SITE_URL + institution.get_absolute_url(),
    }
    return render(request, "works/institution_detail.html", context)


@dataclass(frozen=True)
class RunProgress:
    """What a staff member reads off an import: how far it got, and what it has cost."""

    run: ImportRun
    works: int
    total: int | None

    @classmethod
    def of(cls, run: ImportRun) -> "RunProgress":
        total = run.counts.get("total")
        return cls(
            run=run,
            works=run.works_seen,
            total=total if isinstance(total, int) and total > 0 else None,
        )

    @property
    def value(self) -> int:
        return min(self.works, self.total) if self.total else self.run.pages_done

    @property
    def percent(self) -> int | None:
        return self.value * 100 // self.total if self.total else None

    @property
    def cost(self) -> str:
        """US dollars to the cent, or to the last non-zero digit of the six stored: OpenAlex
        bills list calls in fractions of a cent."""
        cost = Decimal(self.run.cost_usd)
        return f"{cost:.2f}" if cost == round(cost, 2) else f"{cost:f}".rstrip("0")


def _errors(run: ImportRun) -> list[dict]:
    """The latest errors first, each with its time parsed for <time>."""
    latest = []
    for error in reversed(run.errors[-ERRORS_SHOWN:]):
        try:
            at = datetime.fromisoformat(error.get("at", ""))
        except (TypeError, ValueError):
            at = None
        latest.append({**error, "at": at})
    return latest


def _counts(run: ImportRun) -> list[tuple[str, object]]:
    """Known counts in a reading order (Postgres reorders JSON keys), then any others."""
    known = [name for name in COUNT_LABELS if name in run.counts]
    others = sorted(name for name in run.counts if name not in COUNT_LABELS)
    return [
        (COUNT_LABELS.get(name, name.replace("_", " ").capitalize()), run.counts[name])
        for name in known + others
    ]


@staff_member_required
@require_GET
def import_run_list(request):
    page = Paginator(selectors.import_runs_recent(), IMPORT_RUNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "rows": [RunProgress.of(run) for run in page]}
    return render(request, "works/import_run_list.html", context)


@staff_member_required
@require_GET
def import_run_detail(request, pk):
    run = _or_404(selectors.import_run_get, "No import has this number.", pk=pk)
    context = {
        "run": run,
        "progress": RunProgress.of(run),
        "counts": _counts(run),
        "errors": _errors(run),
        "errors_total": len(run.errors),
    }
    if request.htmx and request.htmx.target == "import-status":
        return render(request, "works/import_run_detail.html#import-status", context)
    return render(request, "works/import_run_detail.html", context)
