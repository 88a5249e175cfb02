"""What each permission lets a person do, in plain words (English message ids, translated
through the shell's ``display.po``).

The roles page shows these instead of the dotted names the API checks (``queue.claim``);
the names themselves stay folded away for whoever writes a ``permissions.toml``. A
permission this list does not know yet is shown as words from its name, never as the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

PERMISSION: Mapping[str, str] = {
    "accounts.read": "See the accounts that posted content",
    "appeals.create": "Appeal a decision",
    "audit.read": "Read the audit log",
    "cases.decide": "Decide cases",
    "cases.read": "See cases",
    "content.ingest": "Send content from the platform",
    "content.read": "See content",
    "decisions.read": "See decisions",
    "detection.hashbanks.read": "See the banks of known media",
    "detection.hashbanks.remove": "Remove entries from the banks of known media",
    "detection.hashbanks.write": "Add to the banks of known media",
    "detection.signals.read": "See what automated detection found",
    "factchecks.create": "Publish fact-checks",
    "factchecks.read": "See fact-checks",
    "guide.approve": "Approve and publish Election Guide pages",
    "guide.edit": "Write Election Guide pages",
    "guide.events.write": "Report how often the Election Guide was seen",
    "guide.reach.read": "See how many people the Election Guide reached",
    "guide.tags.read": "See which content links to the Election Guide",
    "guide.tags.write": "Link content to the Election Guide",
    "guide.versions.read": "See earlier versions of Election Guide pages",
    "metrics.read": "Read the monitoring figures",
    "notices.create": "File notices",
    "notices.read": "See notices",
    "notifications.read": "Receive notifications about decisions",
    "partners.create": "Add partner organisations",
    "partners.feedback": "Give and read feedback on decisions",
    "partners.list": "See the list of partner organisations",
    "partners.members": "Manage an organisation's members",
    "partners.read": "See a partner organisation",
    "partners.webhook": "Set an organisation's notification address (webhook)",
    "policies.library.approve": "Approve changes to the policy library",
    "policies.library.edit": "Propose changes to the policy library",
    "queue.claim": "Take cases from the review queue",
    "queue.stats": "See queue figures",
    "referrals.create": "Send content to a fact-checker",
    "referrals.read": "See requests to fact-checkers",
    "referrals.verdict": "Answer requests as a fact-checker",
    "rules.accounts.classify": "Classify accounts (politician, party, government)",
    "rules.ads.review": "Check political ads against the election rules",
    "rules.campaign_accounts.read": "See registered campaign accounts",
    "rules.campaign_accounts.register": "Register campaign accounts (election commission staff)",
    "rules.features.check": "Check whether a feature is allowed for an account",
    "rules.findings.read": "See findings of the election rules",
    "rules.proposals.decide": "Decide proposed account classifications",
    "rules.proposals.read": "See proposed account classifications",
    "rules.psa.manage": "Manage public service notices",
    "rules.psa.read": "See public service notices",
    "rules.refusals.read": "See what the election rules refused",
    "statements.read": "Read statements of reasons",
    "stream.read": "See the event stream's health",
    "training.office": "See an office's training progress",
    "training.practice": "Practise in the training sandbox",
    "training.report": "See training figures for every region",
    "transparency.partner_report.read": "Read an organisation's own transparency report",
    "transparency.report.read": "Read the transparency report",
    "users.manage": "Add users and change their access",
    "users.read": "See users",
    "web.account": "Use the account pages",
    "web.admin": "Use the administration pages",
    "web.admin.read": "Read the administration pages",
    "web.console": "Use the moderation console",
    "web.desk": "Use the fact-check desk",
    "web.editor": "Use the Election Guide editor",
    "web.portal": "Use the partner portal",
    "whoami": "See one's own account",
}


def permission(translate: Callable[[str], str], words: Callable[[str], str], code: object) -> str:
    """The plain words of a permission in the page's language."""
    name = str(code or "")
    known = PERMISSION.get(name)
    if known:
        return translate(known)
    return words(name.replace(".", " "))
