import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0005_work_feed_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The author record (Researcher) and the works its owner hides (HiddenWork) moved from
    # profiles to works, keeping their tables: only Django's idea of the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Researcher",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("slug", models.SlugField(max_length=120, unique=True)),
                        (
                            "openalex_id",
                            models.CharField(blank=True, max_length=32, null=True, unique=True),
                        ),
                        (
                            "orcid",
                            models.CharField(
                                blank=True,
                                max_length=19,
                                null=True,
                                unique=True,
                                verbose_name="ORCID iD",
                            ),
                        ),
                        ("display_name", models.CharField(max_length=300)),
                        ("name_key", models.CharField(db_index=True, max_length=300)),
                        ("name_variants", models.JSONField(blank=True, default=list)),
                        ("search_name", models.TextField(blank=True)),
                        ("arxiv_name_forms", models.JSONField(blank=True, default=list)),
                        ("bio", models.TextField(blank=True)),
                        ("open_to_collaborate", models.BooleanField(default=True)),
                        (
                            "verification_level",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "L0 – no external authority"),
                                    (1, "L1 – matched to an external authority, unclaimed"),
                                    (
                                        2,
                                        "L2 – claimed, verified by institutional e-mail or a moderator",
                                    ),
                                    (3, "L3 – claimed through ORCID sign-in"),
                                ],
                                default=0,
                            ),
                        ),
                        ("is_claimed", models.BooleanField(default=False)),
                        ("works_count", models.PositiveIntegerField(default=0)),
                        ("followers_count", models.PositiveIntegerField(default=0)),
                        ("topics_count", models.PositiveIntegerField(default=0)),
                        ("close_collaborators_count", models.PositiveIntegerField(default=0)),
                        ("verified_collaborators_count", models.PositiveIntegerField(default=0)),
                        ("open_disputes_count", models.PositiveIntegerField(default=0)),
                        ("trust_score", models.PositiveSmallIntegerField(default=0)),
                        (
                            "trust_band",
                            models.CharField(
                                choices=[
                                    ("emerging", "Emerging"),
                                    ("established", "Established"),
                                    ("trusted", "Trusted"),
                                ],
                                default="emerging",
                                max_length=16,
                            ),
                        ),
                        ("trust_components", models.JSONField(blank=True, default=list)),
                        ("trust_computed_at", models.DateTimeField(blank=True, null=True)),
                        ("openalex_synced_at", models.DateTimeField(blank=True, null=True)),
                        ("arxiv_synced_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "institution",
                            models.ForeignKey(
                                blank=True,
                                help_text="Last known institution.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="researchers",
                                to="works.institution",
                            ),
                        ),
                        (
                            "primary",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="linked_records",
                                to="works.researcher",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "profiles_researcher",
                        "ordering": ["display_name"],
                    },
                ),
                migrations.AlterField(
                    model_name="authorship",
                    name="researcher",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="authorships",
                        to="works.researcher",
                    ),
                ),
                migrations.AlterField(
                    model_name="importrun",
                    name="researcher",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="import_runs",
                        to="works.researcher",
                    ),
                ),
                migrations.CreateModel(
                    name="HiddenWork",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.TextField(max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "hidden_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "work",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="hidden_on_profiles",
                                to="works.work",
                            ),
                        ),
                        (
                            "researcher",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="hidden_works",
                                to="works.researcher",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "profiles_hiddenwork",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("researcher", "work"),
                                name="hiddenwork_one_per_researcher_work",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
