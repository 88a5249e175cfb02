"""Text signals: normalisation of informal Indonesian, claim matching against the
fact-check database, and the policy classifiers."""

from salingjaga.detection.text.matcher import ClaimMatch, ClaimMatcher, MatcherCache, get_matcher
from salingjaga.detection.text.normalize import normalize

__all__ = ["ClaimMatch", "ClaimMatcher", "MatcherCache", "get_matcher", "normalize"]
