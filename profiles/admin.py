from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from profiles.models import Claim, ClaimDispute, ClaimEvent, TrustAssessment, User
from profiles.services import (
    ClaimError,
    claim_approve,
    claim_dispute_revoke,
    claim_dispute_uphold,
    claim_reject,
)
from works import services as works_services
from works.models import ImportRun, Researcher


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    pass


class HistoryInline(admin.TabularInline):
    """A record's history, shown and never edited: its fields are all read-only."""

    extra = 0
    max_num = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class TrustAssessmentInline(HistoryInline):
    model = TrustAssessment
    fields = ["computed_at", "score", "band", "components"]
    ordering = ["-computed_at"]


class ClaimEventInline(HistoryInline):
    model = ClaimEvent
    fields = ["created_at", "kind", "actor", "message", "mailed_at"]


# What staff may change on a record: moderating what its owner wrote, and the name forms the arXiv
# import searches with.
RESEARCHER_EDITABLE = {"bio", "open_to_collaborate", "arxiv_name_forms"}


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
    list_filter = [
        "verification_level",
        "is_claimed",
        "trust_band",
        "open_to_collaborate",
        "name_needs_review",
    ]
    search_fields = ["display_name", "search_name", "openalex_id", "orcid", "slug"]
    inlines = [TrustAssessmentInline]
    actions = ["import_from_openalex", "import_from_arxiv"]

    def get_readonly_fields(self, request, obj=None):
        # Imports, the claim services and the stats write everything else; edited here, an id,
        # a count, a score or the claimed flag would disagree with what it is derived from.
        return [
            field.name
            for field in Researcher._meta.get_fields()
            if field.concrete and not field.primary_key and field.name not in RESEARCHER_EDITABLE
        ]

    def has_add_permission(self, request):
        return False  # Records come from imports.

    def has_import_permission(self, request):
        return request.user.has_perm("works.add_importrun")

    @admin.action(description="Import or refresh from OpenAlex", permissions=["import"])
    def import_from_openalex(self, request, queryset):
        self._queue_imports(request, queryset, source=ImportRun.Source.OPENALEX)

    @admin.action(description="Import or refresh from arXiv", permissions=["import"])
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


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """The moderators' queue: filter on pending evidence claims, then approve or reject."""

    list_display = ["researcher", "user", "method", "state", "created_at", "decided_at"]
    list_filter = ["state", "method"]
    search_fields = ["researcher__display_name", "user__email", "email"]
    list_select_related = ["researcher", "user"]
    readonly_fields = [
        "user",
        "researcher",
        "method",
        "state",
        "evidence_links",
        "note",
        "email",
        "code_attempts",
        "code_expires_at",
        "decided_by",
        "decision_reason",
        "created_at",
        "decided_at",
    ]
    inlines = [ClaimEventInline]
    actions = ["approve", "reject"]

    # Claims are decided by the actions, through the services, and kept as the audit trail.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Approve (the level follows the method; the user is e-mailed)",
        permissions=["change"],
    )
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject (the user is e-mailed)", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool):
        done = 0
        for claim in queryset:
            try:
                if approve:
                    claim_approve(claim=claim, actor=request.user)
                else:
                    claim_reject(claim=claim, actor=request.user, reason="Rejected by a moderator")
                done += 1
            except ClaimError as error:
                self.message_user(request, f"{claim}: {error}", messages.WARNING)
        verb = "Approved" if approve else "Rejected"
        self.message_user(request, f"{verb} {done} claim{'s' if done != 1 else ''}.")


@admin.register(ClaimDispute)
class ClaimDisputeAdmin(admin.ModelAdmin):
    """Disputes of approved claims: filter on open ones, then uphold or revoke with a reason."""

    list_display = ["claim", "user", "state", "created_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["claim__researcher__display_name", "user__email"]
    list_select_related = ["claim__researcher", "claim__user", "user"]
    readonly_fields = [
        "claim",
        "user",
        "links",
        "note",
        "state",
        "decided_by",
        "reason",
        "created_at",
        "decided_at",
    ]
    actions = ["uphold", "revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Uphold claim (close the dispute)", permissions=["change"])
    def uphold(self, request, queryset):
        return self._decide(request, queryset, action="uphold", service=claim_dispute_uphold)

    @admin.action(
        description="Revoke claim (the holder is e-mailed the reason)", permissions=["change"]
    )
    def revoke(self, request, queryset):
        return self._decide(request, queryset, action="revoke", service=claim_dispute_revoke)

    def _decide(self, request, queryset, *, action, service):
        # First the moderator writes the reason on an intermediate page; it posts back here.
        reason = request.POST.get("reason", "").strip()
        if "apply" not in request.POST or not reason:
            context = {
                **self.admin_site.each_context(request),
                "title": "Give the reason for this decision",
                "disputes": queryset,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
                "missing_reason": "apply" in request.POST,
            }
            return TemplateResponse(request, "admin/profiles/claimdispute/decide.html", context)
        done = 0
        for dispute in queryset:
            try:
                service(dispute=dispute, actor=request.user, reason=reason)
                done += 1
            except ClaimError as error:
                self.message_user(request, f"{dispute}: {error}", messages.WARNING)
        verb = "Upheld" if action == "uphold" else "Revoked"
        self.message_user(request, f"{verb} {done} claim{'s' if done != 1 else ''}.")
        return None
