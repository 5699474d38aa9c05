from django.contrib import admin

from graph.models import Collaboration


@admin.register(Collaboration)
class CollaborationAdmin(admin.ModelAdmin):
    list_display = ["researcher_a", "researcher_b", "shared_works", "first_year", "last_year"]
    list_select_related = ["researcher_a", "researcher_b"]
    raw_id_fields = ["researcher_a", "researcher_b"]
    search_fields = ["researcher_a__display_name", "researcher_b__display_name"]
