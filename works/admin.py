from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from works.models import Authorship, ImportRun, Institution, Topic, Work, WorkTopic


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "openalex_id", "ror", "country_code", "type"]
    search_fields = ["name", "openalex_id", "ror"]
    list_filter = ["type", "country_code"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "field", "domain"]
    search_fields = ["name", "external_id"]
    list_filter = ["domain"]


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    raw_id_fields = ["researcher", "institutions"]
    ordering = ["position"]


class WorkTopicInline(admin.TabularInline):
    model = WorkTopic
    extra = 0
    raw_id_fields = ["topic"]


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["plain_title", "publication_year", "type", "venue", "arxiv_id", "doi"]
    list_filter = ["type", "is_retracted"]
    search_fields = ["title", "openalex_id", "doi", "arxiv_id"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AuthorshipInline, WorkTopicInline]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Runs are written by works.services only; here they can be read, and followed live on
    their staff page."""

    list_display = [
        "pk",
        "source",
        "state",
        "staff_page",
        "target",
        "researcher",
        "pages_done",
        "requests_made",
        "created_at",
    ]
    list_display_links = ["pk", "source"]
    list_filter = ["source", "state"]
    list_select_related = ["researcher"]
    search_fields = ["researcher__display_name", "message"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def view_on_site(self, obj):
        return reverse("imports:detail", args=[obj.pk])

    @admin.display(description="Staff page")
    def staff_page(self, obj):
        return format_html('<a href="{}">Follow #{}</a>', self.view_on_site(obj), obj.pk)
