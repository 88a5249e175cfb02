"""The rules domain's errors (candidates, campaign accounts, ads and account kinds under the
campaign rules) as a page or an API client says them, keyed by the error's stable ``reason``:
what happened and what to do next, as English message ids translated through the domain's
catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's
(``web.reasons``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "rules.ad_category_unknown": (
        "That is not an ad category the campaign rules know.",
        "Choose one of the ad categories the campaign rules list."),
    "rules.no_finding": (
        "The campaign rules found nothing in the post %(ref)s.",
        "Check the reference; only posts the campaign rules flagged have findings."),
    "rules.not_kpu": (
        "Only election commission (KPU) staff register candidates and campaign accounts.",
        "Ask your KPU office to register them."),
    "rules.national_race": (
        "%(name)s acts for the region %(code)s; a national race is registered by national KPU staff.",
        "Ask KPU RI to register it."),
    "rules.outside_region": (
        "%(name)s acts for the region %(code)s, not %(region)s.",
        "Register only races inside your region, or ask the KPU office of that region."),
    "rules.no_race": (
        "This election holds no race for that region.",
        "Register a candidate in the region of their race: a province for a governor, a regency or city for a regent "
        "or mayor."),
    "rules.ballot_number_taken": (
        "Ballot number %(n)s in this race already belongs to %(name)s.",
        "Check the number; each candidate in a race has their own."),
    "rules.candidate_unknown": (
        "No candidate %(ref)s stands in this election.",
        "Check the candidate's reference in the list of candidates."),
    "rules.candidate_other_race": ("%(name)s stands in another race.", "Give the region of the candidate's own race."),
    "rules.candidate_missing": (
        "The candidate is not named.",
        "Give the candidate's reference, or their ballot number (and name)."),
    "rules.candidate_number_unknown": (
        "No candidate has ballot number %(n)s in this race.",
        "Register the candidate first, or give their name with the number."),
    "rules.candidate_name_differs": (
        "Ballot number %(n)s in this race is %(name)s, not %(given)s.",
        "Check the number and the name, then send again."),
    "rules.no_campaign_period": (
        "This election has no campaign period.",
        "Campaign accounts are registered only for an election with a campaign; choose another election."),
    "rules.outside_campaign": (
        "A campaign account is valid only within the campaign period, %(start)s to %(end)s.",
        "Choose dates inside it; the account closes when the campaign ends."),
    "rules.account_registered": (
        "The account %(ref)s on %(platform)s is already registered for this election.",
        "Nothing more is needed; it is in the list of campaign accounts."),
    "rules.account_limit": (
        "%(name)s already has %(n)s registered accounts on %(platform)s, the most this election allows.",
        "Keep the registered accounts; no further one can be added on that platform for this candidate."),
    "rules.proposal_unknown": (
        "There is no account classification proposal %(ref)s.",
        "Open it from the list of proposals."),
    "rules.proposal_decided": (
        "This proposal has already been decided.",
        "Reload the list of proposals to see those still open."),
    "rules.proposal_kind": (
        "Confirming a proposal needs the kind of account: government, politician or political party.",
        "Choose the kind, or reject the proposal to keep the account ordinary."),
    "rules.feature_unknown": (
        "The campaign rules know no platform feature %(ref)s.",
        "Check the feature's name against the list of features the rules govern."),
    "rules.psa_not_government": (
        "Public-service ad approvals are for government accounts, and %(ref)s is not one.",
        "Check the account, or have it classified as a government account first."),
    "rules.approval_unknown": (
        "There is no public-service ad approval %(ref)s.",
        "Check the reference in the account's list of approvals."),
}
