"""The fact-check database: ClaimReview import, fact-checks added by partners, and
referrals of claims to fact-checking partners whose verdicts feed claim matching."""
