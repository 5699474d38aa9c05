from django.contrib import admin, messages

from social.models import Block, Follow, Invitation, SpamReport
from social.services import SocialError, spam_report_resolve


class ReadMostlyAdmin(admin.ModelAdmin):
    """Rows written by the site's own flows: moderators look, and may delete, but do not add
    or edit them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SpamReport)
class SpamReportAdmin(admin.ModelAdmin):
    list_display = ["invitation", "sender", "state", "created_at", "resolved_at"]
    list_filter = ["state"]
    list_select_related = ["invitation__sender", "invitation__sender_researcher"]
    search_fields = ["invitation__subject", "invitation__sender__email"]
    readonly_fields = ["invitation", "state", "created_at", "resolved_at"]
    fields = ["invitation", "state", "moderator_note", "created_at", "resolved_at"]
    actions = ["suspend_sender", "dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Sender", ordering="invitation__sender__email")
    def sender(self, report):
        return report.invitation.sender

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Deleting a report about oneself, or one filed, would decide it.
        refused = [
            f"{report}: it is about you, or you filed it"
            for report in objs
            if request.user.pk in (report.invitation.sender_id, report.invitation.recipient_id)
        ]
        return to_delete, model_count, perms_needed, [*protected, *refused]

    def has_suspend_permission(self, request):
        # Suspending changes an account, so it also takes the permission to change accounts.
        return request.user.has_perm("profiles.change_user")

    def _resolve(self, request, queryset, *, suspend_sender: bool) -> int:
        resolved = 0
        for report in queryset.filter(state=SpamReport.State.OPEN).select_related("invitation"):
            try:
                spam_report_resolve(
                    report=report,
                    actor=request.user,
                    suspend_sender=suspend_sender,
                    note=f"By {request.user}.",
                )
                resolved += 1
            except SocialError as error:
                self.message_user(request, f"{report}: {error}", messages.WARNING)
        return resolved

    @admin.action(description="Suspend the sender", permissions=["change", "suspend"])
    def suspend_sender(self, request, queryset):
        count = self._resolve(request, queryset, suspend_sender=True)
        self.message_user(
            request,
            f"{count} report(s) actioned: senders suspended, their open invitations withdrawn.",
            messages.SUCCESS,
        )

    @admin.action(description="Dismiss", permissions=["change"])
    def dismiss(self, request, queryset):
        count = self._resolve(request, queryset, suspend_sender=False)
        self.message_user(request, f"{count} report(s) dismissed.", messages.SUCCESS)


@admin.register(Follow)
class FollowAdmin(ReadMostlyAdmin):
    list_display = ["user", "researcher", "created_at"]
    raw_id_fields = ["user", "researcher"]
    search_fields = ["user__email", "researcher__display_name"]


@admin.register(Invitation)
class InvitationAdmin(ReadMostlyAdmin):
    list_display = ["subject", "sender", "recipient", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["sender", "recipient"]
    raw_id_fields = ["sender", "recipient", "sender_researcher", "recipient_researcher"]
    search_fields = ["subject", "sender__email", "recipient__email"]


@admin.register(Block)
class BlockAdmin(ReadMostlyAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    raw_id_fields = ["blocker", "blocked"]
    search_fields = ["blocker__email", "blocked__email"]
