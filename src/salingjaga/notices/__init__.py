"""Notices: DSA Art. 16 notices from partners and users, their evidence, intake (single,
group commit, bulk files), feedback to partners, the notice API and the partner portal.

The domain owns the tables ``notices``, ``notice_cases`` and ``notice_evidence`` (see
``models`` for the migrations that created them). A notice opens or joins review cases
through ``moderation.service`` and follows them through moderation's case events
(``case_events``, subscribed in ``salingjaga.wiring``).
"""
