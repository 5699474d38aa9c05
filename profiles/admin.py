from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from profiles.models import Researcher, TrustAssessment, User
from works import services as works_services
from works.models import ImportRun


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    pass


class TrustAssessmentInline(admin.TabularInline):
    model = TrustAssessment
    extra = 0
    can_delete = False
    fields = ["computed_at", "score", "band", "components"]
    readonly_fields = fields
    ordering = ["-computed_at"]
    max_num = 0
    show_change_link = False


@admin.register(Researcher)
class ResearcherAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "openalex_id",
        "orcid",
        "verification_level",
        "is_claimed",
        "works_count",
        "trust_score",
        "trust_band",
    ]
    list_filter = ["verification_level", "is_claimed", "trust_band", "open_to_collaborate"]
    search_fields = ["display_name", "search_name", "openalex_id", "orcid", "slug"]
    raw_id_fields = ["institution"]
    readonly_fields = [
        "works_count",
        "followers_count",
        "topics_count",
        "close_collaborators_count",
        "verified_collaborators_count",
        "open_disputes_count",
        "trust_score",
        "trust_band",
        "trust_components",
        "trust_computed_at",
        "openalex_synced_at",
        "arxiv_synced_at",
        "created_at",
        "updated_at",
    ]
    inlines = [TrustAssessmentInline]
    actions = ["import_from_openalex", "import_from_arxiv"]

    @admin.action(description="Import or refresh from OpenAlex")
    def import_from_openalex(self, request, queryset):
        self._queue_imports(request, queryset, source=ImportRun.Source.OPENALEX)

    @admin.action(description="Import or refresh from arXiv")
    def import_from_arxiv(self, request, queryset):
        self._queue_imports(request, queryset, source=ImportRun.Source.ARXIV)

    def _queue_imports(self, request, queryset, *, source):
        queued = active = unidentified = 0
        for researcher in queryset:
            if works_services.import_request_for(researcher=researcher, source=source) is None:
                unidentified += 1
            elif works_services.import_run_for_researcher(researcher=researcher, source=source):
                queued += 1
            else:
                active += 1
        label = ImportRun.Source(source).label
        summary = f"Queued {queued} {label} import{'s' if queued != 1 else ''}."
        reasons = []
        if active:
            reasons.append(f"{active} already had an active {label} import")
        if unidentified:
            reasons.append(f"{unidentified} had no OpenAlex id or ORCID")
        if reasons:
            summary += f" Skipped {active + unidentified}: {' and '.join(reasons)}."
        if queued:
            message = format_html(
                '{} <a href="{}">Follow progress on the imports page</a>.',
                summary,
                reverse("imports:list"),
            )
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(request, summary, messages.WARNING)
