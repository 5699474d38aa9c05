import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from works import services
from works.models import ImportRun

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Load an OpenAlex works snapshot (data/works/manifest + .gz JSON Lines partitions) "
        "partition by partition, set-based. An unfinished import of the same path resumes "
        "with the partitions not done; a finished one is imported again (nothing changes "
        "that has not changed). With --workers the partitions are tasks on the Celery queue "
        "'imports', spread over its workers; without, this process loads them in turn."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="snapshot root, its data/works folder or the manifest")
        parser.add_argument(
            "--workers",
            action="store_true",
            help="queue one task per partition for the Celery workers and wait for them",
        )

    def handle(self, *args, path, workers, **options):
        if workers and settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("--workers needs a broker: set REDIS_URL.")
        path = str(Path(path).resolve())
        run = (
            ImportRun.objects.filter(source=ImportRun.Source.SNAPSHOT, request__path=path)
            .exclude(state=ImportRun.State.DONE)
            .order_by("-created_at")
            .first()
        )
        if run is None:
            run = services.import_run_create(
                source=ImportRun.Source.SNAPSHOT, request={"path": path}, enqueue=False
            )
        else:
            done = run.partitions.filter(state="done").count()
            self.stdout.write(f"Resuming import #{run.pk}: {done} partition(s) done.")
            services.snapshot_run_resume(run)

        def progress(run):
            self.stderr.write(f"\r{run.pages_done} partition(s) done", ending="")

        if workers:
            queued = services.snapshot_run_distribute(run)
            self.stdout.write(f"Queued {queued} partition(s) of import #{run.pk} on 'imports'.")
            while run.state not in (ImportRun.State.DONE, ImportRun.State.FAILED):
                time.sleep(POLL_SECONDS)
                run.refresh_from_db()
                run.pages_done = run.partitions.filter(state="done").count()
                progress(run)
        else:
            services.import_run_execute(run_id=run.pk, slice_seconds=10**9, progress=progress)
            run.refresh_from_db()
        self.stderr.write("")
        if run.state != ImportRun.State.DONE:
            raise CommandError(f"Import #{run.pk}: {run.message}")
        self.stdout.write(self.style.SUCCESS(f"Import #{run.pk}: {run.message}"))
