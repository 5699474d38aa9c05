from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from works.models import Authorship, ImportRun, Institution, Topic, Work, WorkTopic


class ImportOwnedAdmin(admin.ModelAdmin):
    """An admin for rows the imports write. Once a row exists, the fields its source owns
    (import_owned_fields: ids, counts, the slug, the source's payload) are shown, not edited:
    the next import would overwrite an edit, and other rows hang on them."""

    import_owned_fields: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + self.import_owned_fields if obj is not None else readonly


class ImportOwnedInline(admin.TabularInline):
    """Rows ingest rewrites whole (works.ingest): shown, not edited, since an edit here would
    leave the counts and the graph behind."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Institution)
class InstitutionAdmin(ImportOwnedAdmin):
    list_display = ["name", "openalex_id", "ror", "country_code", "type"]
    search_fields = ["name", "openalex_id", "ror"]
    list_filter = ["type", "country_code"]
    import_owned_fields = ["openalex_id", "ror"]


@admin.register(Topic)
class TopicAdmin(ImportOwnedAdmin):
    list_display = ["name", "external_id", "field", "domain"]
    search_fields = ["name", "external_id"]
    list_filter = ["domain"]
    import_owned_fields = ["external_id"]


class AuthorshipInline(ImportOwnedInline):
    model = Authorship
    fields = ["position", "researcher", "raw_author_name", "raw_affiliation"]
    ordering = ["position"]


class WorkTopicInline(ImportOwnedInline):
    model = WorkTopic
    fields = ["topic", "score"]


@admin.register(Work)
class WorkAdmin(ImportOwnedAdmin):
    """Staff may correct what a work's page says; Work.save() sanitises the title and the
    abstract, which the page marks safe, and derives the title's key."""

    list_display = ["plain_title", "publication_year", "type", "venue", "arxiv_id", "doi"]
    list_filter = ["type", "is_retracted"]
    search_fields = ["title", "openalex_id", "doi", "arxiv_id"]
    readonly_fields = ["title_key", "created_at", "updated_at"]
    import_owned_fields = [
        "slug",
        "openalex_id",
        "doi",
        "arxiv_id",
        "citation_count",
        "authors_count",
        "source_payload",
    ]
    inlines = [AuthorshipInline, WorkTopicInline]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Runs are written by works.imports only; here they can be read, and followed live on
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
