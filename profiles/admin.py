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
from works.models import ImportRun, Researcher, VerificationLevel


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


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "message"]
    readonly_fields = fields
    max_num = 0


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """The moderators' queue: filter on pending evidence claims, then approve or reject."""

    list_display = ["researcher", "user", "method", "state", "created_at", "decided_at"]
    list_filter = ["state", "method"]
    search_fields = ["researcher__display_name", "user__email", "email"]
    list_select_related = ["researcher", "user"]
    raw_id_fields = ["user", "researcher", "decided_by"]
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
    exclude = ["code_hash"]
    inlines = [ClaimEventInline]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Approve (verification L2)")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject")
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool):
        done = 0
        for claim in queryset:
            try:
                if approve:
                    claim_approve(claim=claim, level=VerificationLevel.L2, actor=request.user)
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

    @admin.action(description="Uphold claim (close the dispute)")
    def uphold(self, request, queryset):
        return self._decide(request, queryset, action="uphold", service=claim_dispute_uphold)

    @admin.action(description="Revoke claim (the holder is e-mailed the reason)")
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
