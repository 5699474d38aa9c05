from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from works import services
from works.models import ImportRun


class Command(BaseCommand):
    help = (
        "Stream an OpenAlex works snapshot (data/works/manifest + .gz JSON Lines partitions) "
        "into the database in bulk. An unfinished import of the same path resumes where it "
        "stopped; a finished one is imported again (nothing changes that has not changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="snapshot root, its data/works folder or the manifest")

    def handle(self, *args, path, **options):
        path = str(Path(path).resolve())
        run = (
            ImportRun.objects.active()
            .filter(source=ImportRun.Source.SNAPSHOT, request__path=path)
            .order_by("-created_at")
            .first()
        )
        if run is None:
            run = services.import_run_create(
                source=ImportRun.Source.SNAPSHOT, request={"path": path}, enqueue=False
            )
        else:
            self.stdout.write(f"Resuming import #{run.pk} at {run.cursor or 'the start'}.")
            ImportRun.objects.filter(pk=run.pk).update(lease_expires_at=None, resume_at=None)
        services.import_run_execute(
            run_id=run.pk,
            slice_seconds=10**9,
            progress=lambda run: self.stderr.write(
                f"\r{run.pages_done} batch(es), position {run.cursor}", ending=""
            ),
        )
        run.refresh_from_db()
        self.stderr.write("")
        if run.state != ImportRun.State.DONE:
            raise CommandError(f"Import #{run.pk}: {run.message}")
        self.stdout.write(self.style.SUCCESS(f"Import #{run.pk}: {run.message}"))
