"""Domain signals: what profiles announces to the layers above it, which it never imports."""

from django.dispatch import Signal

# A claim was revoked: a moderator decided a dispute against its holder. Sent once the
# revocation has committed, with `claim`, the revoked Claim. social closes the invitations made
# as, or to, the record in the name of the person who held it.
claim_revoked = Signal()
