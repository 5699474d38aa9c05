"""Domain signals: what profiles announces to the layers above it, which it never imports."""

from django.dispatch import Signal

# A claim was approved (either way: by a moderator or proved by its user). Sent inside the
# approving transaction, with `claim`, the approved Claim: social drops the holder's follow of
# their own record, so they are never counted among its followers.
claim_approved = Signal()

# A claim was revoked: a moderator decided a dispute against its holder. Sent once the
# revocation has committed, with `claim`, the revoked Claim. social closes the invitations made
# as, or to, the record in the name of the person who held it.
claim_revoked = Signal()

# An account was suspended (profiles.services.account_suspend): it holds no claim any more and
# cannot log in. Sent once the suspension has committed, with `user`. social closes the
# invitations it sent and those waiting for its answer.
account_suspended = Signal()
