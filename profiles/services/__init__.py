"""Writes to researcher records and claims, one module per concern. The public names are
re-exported here, so callers write `from profiles.services import claim_approve`."""

from profiles.services.accounts import account_holds_claims, account_reinstate, account_suspend
from profiles.services.claim_email import (
    claim_email_code_send,
    claim_email_code_verify,
    researcher_email_domains,
)
from profiles.services.claims import (
    LEVEL_BY_METHOD,
    ClaimError,
    ClaimReferred,
    claim_approve,
    claim_by_orcid,
    claim_evidence_submit,
    claim_referral_reason,
    claim_reject,
    claim_start,
    claim_withdraw,
    revoked_before,
    user_orcid_ids,
)
from profiles.services.disputes import (
    claim_dispute_accept,
    claim_dispute_open,
    claim_dispute_revoke,
    claim_dispute_uphold,
)
from profiles.services.moderation import SELF_DECISION, decision_allowed, decision_refusal
from profiles.services.owner import (
    researcher_owner_claim,
    researcher_update,
    work_hide,
    work_unhide,
    work_versions_split,
)
from profiles.services.records import researcher_link_records
from profiles.services.trust import trust_refresh_enqueue
from profiles.stats import (
    authority_level,
    researcher_stats_refresh,
    trust_batch_recompute,
    trust_facts,
)

__all__ = [
    "LEVEL_BY_METHOD",
    "SELF_DECISION",
    "ClaimError",
    "account_holds_claims",
    "account_reinstate",
    "account_suspend",
    "ClaimReferred",
    "authority_level",
    "claim_approve",
    "claim_by_orcid",
    "claim_dispute_accept",
    "claim_dispute_open",
    "claim_dispute_revoke",
    "claim_dispute_uphold",
    "claim_email_code_send",
    "claim_email_code_verify",
    "claim_evidence_submit",
    "claim_referral_reason",
    "claim_reject",
    "claim_start",
    "claim_withdraw",
    "decision_allowed",
    "decision_refusal",
    "researcher_email_domains",
    "researcher_link_records",
    "researcher_owner_claim",
    "researcher_stats_refresh",
    "researcher_update",
    "revoked_before",
    "trust_batch_recompute",
    "trust_facts",
    "trust_refresh_enqueue",
    "user_orcid_ids",
    "work_hide",
    "work_unhide",
    "work_versions_split",
]
