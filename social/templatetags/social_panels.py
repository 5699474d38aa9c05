"""The social panels other apps' pages show: the profile's follow button and its "Direct
collaboration" panel. Tags, so the profile page renders them without profiles importing social
(docs/architecture.md)."""

from django import template

from social import selectors

register = template.Library()


@register.inclusion_tag("social/_follow_button.html", takes_context=True)
def follow_panel(context, researcher):
    """Follow or unfollow, with the follower count; the follow views swap in the same button."""
    user = context["request"].user
    return {
        "researcher": researcher,
        "user": user,
        "following": selectors.is_following(user=user, researcher=researcher),
    }


@register.inclusion_tag("social/invite.html#invitation-panel", takes_context=True)
def collaboration_panel(context, researcher):
    """Whether the viewer can invite the researcher, and why not if not."""
    user = context["request"].user
    return {
        "researcher": researcher,
        "user": user,
        "panel": selectors.invitation_panel(viewer=user, researcher=researcher),
    }
