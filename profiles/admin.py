from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from profiles.models import Researcher, TrustAssessment, User


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
