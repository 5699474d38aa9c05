from django.contrib import admin

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
    list_display = ["pk", "source", "state", "pages_done", "requests_made", "created_at"]
    list_filter = ["source", "state"]
    readonly_fields = ["created_at", "started_at", "finished_at"]
