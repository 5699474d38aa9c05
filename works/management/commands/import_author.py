import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from works import services
from works.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import one author's works from OpenAlex (by OpenAlex id or ORCID iD) or arXiv (by "
        "name). Queues the import for the Celery worker, or runs it here with --sync."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--openalex", metavar="A123", help="OpenAlex author id")
        which.add_argument("--orcid", metavar="0000-0000-0000-0000", help="ORCID iD")
        which.add_argument("--arxiv", metavar='"First Last"', help="author name as on arXiv")
        parser.add_argument(
            "--sync", action="store_true", help="run in the foreground with a progress bar"
        )

    def handle(self, *args, openalex, orcid, arxiv, sync, **options):
        if openalex:
            source, request = ImportRun.Source.OPENALEX, {"openalex": openalex.strip()}
        elif orcid:
            source, request = ImportRun.Source.OPENALEX, {"orcid": orcid.strip()}
        else:
            if not arxiv.strip():
                raise CommandError("--arxiv needs a name")
            source, request = ImportRun.Source.ARXIV, {"arxiv": arxiv.strip()}
        with transaction.atomic():
            run = services.import_run_create(source=source, request=request, enqueue=not sync)
        if not sync:
            self.stdout.write(f"Queued import #{run.pk} ({run.target}).")
            return
        run = self._run_here(run.pk)
        if run.state == ImportRun.State.DONE:
            self.stdout.write(self.style.SUCCESS(f"Import #{run.pk}: {run.message}"))
        elif run.state == ImportRun.State.PAUSED:
            self.stdout.write(self.style.WARNING(f"Import #{run.pk}: {run.message}"))
        else:
            raise CommandError(f"Import #{run.pk}: {run.message}")

    def _run_here(self, run_id: int) -> ImportRun:
        """Work on the run until it is done, failed or paused, waiting out retry backoffs."""
        while True:
            services.import_run_execute(run_id=run_id, slice_seconds=10**9, progress=self._show)
            run = ImportRun.objects.get(pk=run_id)
            if run.state != ImportRun.State.QUEUED:
                self.stderr.write("")
                return run
            wait = max((run.resume_at - timezone.now()).total_seconds(), 0) if run.resume_at else 0
            self.stderr.write(f"\n{run.message} Waiting {wait:.0f} s.")
            time.sleep(wait)

    def _show(self, run: ImportRun) -> None:
        works = run.works_seen
        total = run.counts.get("total")
        if total:
            done = min(works / total, 1.0)
            bar = "#" * int(done * 30)
            line = f"[{bar:<30}] {works}/{total} works, {run.pages_done} page(s)"
        else:
            line = f"{works} works, {run.pages_done} page(s)"
        self.stderr.write(f"\r{line}", ending="")
        self.stderr.flush()
