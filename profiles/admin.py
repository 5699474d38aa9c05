from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from profiles.models import (
    Claim,
    ClaimDispute,
    ClaimEvent,
    ProblemReport,
    TrustAssessment,
    User,
    VisibilityEvent,
)
from profiles.services import (
    ClaimError,
    account_holds_claims,
    account_reinstate,
    account_suspend,
    claim_approve,
    claim_dispute_accept,
    claim_dispute_revoke,
    claim_dispute_uphold,
    claim_reject,
)
from profiles.services.problem_reports import problem_report_resolve
from profiles.services.visibility import researcher_visibility_moderate
from works import services as works_services
from works.models import ImportRun, Researcher


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts. Suspension goes through profiles.services.account_suspend (the actions), so
    `is_active` is read-only on the form; an account that holds a claim or an open dispute is
    not deleted (its records would stay marked claimed): suspend it first."""

    actions = ["suspend", "reinstate"]
    list_display = [*BaseUserAdmin.list_display, "is_active"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = [*super().get_readonly_fields(request, obj), "is_active"]
        if not request.user.is_superuser:
            # Otherwise a moderator who may change accounts could grant themselves any right.
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = [
            f"{user}: holds a claim or an open dispute; suspend the account first"
            for user in objs
            if account_holds_claims(user=user)
        ]
        refused += [f"{user}: your own account" for user in objs if user.pk == request.user.pk]
        return to_delete, model_count, perms_needed, [*protected, *refused]

    @admin.action(
        description="Suspend (revokes the account's claims, closes its invitations)",
        permissions=["change"],
    )
    def suspend(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                account_suspend(user=user, actor=request.user, reason="Suspended by a moderator.")
                done += 1
            except ClaimError as error:
                self.message_user(request, f"{user}: {error}", messages.WARNING)
        self.message_user(request, f"Suspended {done} account{'s' if done != 1 else ''}.")

    @admin.action(description="Reinstate (claims stay revoked)", permissions=["change"])
    def reinstate(self, request, queryset):
        done = 0
        for user in queryset.filter(is_active=False):
            try:
                account_reinstate(user=user, actor=request.user)
                done += 1
            except ClaimError as error:
                self.message_user(request, f"{user}: {error}", messages.WARNING)
        self.message_user(request, f"Reinstated {done} account{'s' if done != 1 else ''}.")


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    """allauth's, with its action declaring the permission it needs: marking an address
    verified changes an account, and allauth's runs for any staff member who can see the list."""

    @admin.action(description="Mark selected email addresses as verified", permissions=["change"])
    def make_verified(self, request, queryset):
        return super().make_verified(request, queryset)


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


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    """Visitors' reports: filter on open ones, act on the record, then resolve."""

    list_display = ["researcher", "reason", "state", "created_at", "resolved_at"]
    list_filter = ["state", "reason"]
    search_fields = ["researcher__display_name", "researcher__slug", "reporter_email"]
    list_select_related = ["researcher"]
    readonly_fields = [
        "researcher",
        "reason",
        "evidence",
        "reporter_email",
        "reporter",
        "state",
        "resolved_by",
        "resolved_at",
        "created_at",
    ]
    actions = ["resolve"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # The queue is also the record of what visitors reported.

    @admin.action(description="Mark resolved", permissions=["change"])
    def resolve(self, request, queryset):
        done = sum(problem_report_resolve(report=r, moderator=request.user) for r in queryset)
        self.message_user(request, f"Resolved {done} report{'s' if done != 1 else ''}.")


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
        "noindex",
        "unlisted",
    ]
    search_fields = ["display_name", "search_name", "openalex_id", "orcid", "slug"]
    inlines = [TrustAssessmentInline]
    actions = ["import_from_openalex", "import_from_arxiv", "hide_from_search", "show_in_search"]

    @admin.action(
        description="Take out of search engines and the site's search (give the reason)",
        permissions=["change"],
    )
    def hide_from_search(self, request, queryset):
        return self._visibility(request, queryset, action="hide_from_search", hidden=True)

    @admin.action(
        description="Put back into search engines and the site's search", permissions=["change"]
    )
    def show_in_search(self, request, queryset):
        return self._visibility(request, queryset, action="show_in_search", hidden=False)

    def _visibility(self, request, queryset, *, action, hidden):
        reason = request.POST.get("reason", "").strip()
        if "apply" not in request.POST or not reason:
            context = {
                **self.admin_site.each_context(request),
                "title": "Give the reason for this change",
                "records": queryset,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
                "missing_reason": "apply" in request.POST,
            }
            return TemplateResponse(request, "admin/profiles/researcher/visibility.html", context)
        changed = sum(
            researcher_visibility_moderate(
                researcher=researcher, moderator=request.user, hidden=hidden, reason=reason
            )
            is not None
            for researcher in queryset
        )
        self.message_user(request, f"Changed {changed} record{'s' if changed != 1 else ''}.")
        return None

    def get_readonly_fields(self, request, obj=None):
        # Imports, the claim services and the stats write everything else; edited here, an id,
        # a count, a score or the claimed flag would disagree with what it is derived from.
        return [
            field.name
            for field in Researcher._meta.get_fields()
            if field.concrete and not field.primary_key and field.name not in RESEARCHER_EDITABLE
        ] + ["visibility_history"]

    @admin.display(description="Visibility changes")
    def visibility_history(self, researcher):
        # Read-only text rather than an inline: the change form posts no formset for it.
        events = VisibilityEvent.objects.filter(researcher=researcher).select_related("actor")
        return (
            format_html_join(
                "\n",
                "<p>{}: {}, {} ({}): {}</p>",
                (
                    (
                        event.created_at.strftime("%Y-%m-%d %H:%M"),
                        "out of search engines" if event.noindex else "in search engines",
                        "out of site search" if event.unlisted else "in site search",
                        event.actor or "no account",
                        event.reason,
                    )
                    for event in events
                ),
            )
            or "None"
        )

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
        "email_verified_at",
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

    list_display = ["claim", "user", "state", "accepted_at", "created_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["claim__researcher__display_name", "user__email"]
    list_select_related = ["claim__researcher", "claim__user", "user"]
    readonly_fields = [
        "claim",
        "user",
        "links",
        "note",
        "state",
        "accepted_by",
        "accepted_at",
        "decided_by",
        "reason",
        "created_at",
        "decided_at",
    ]
    actions = ["accept", "uphold", "revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Accept the dispute (it weighs on the trust score; stays open)",
        permissions=["change"],
    )
    def accept(self, request, queryset):
        return self._decide(request, queryset, action="accept", service=claim_dispute_accept)

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
        summary = {
            "accept": "Accepted {} dispute{}.",
            "uphold": "Upheld {} claim{}.",
            "revoke": "Revoked {} claim{}.",
        }[action]
        self.message_user(request, summary.format(done, "s" if done != 1 else ""))
        return None
