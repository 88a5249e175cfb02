"""The people and organisations a run needs, created through the services: moderators per
shift and skill, the partners each notice stream comes from (national, per province, per
regency/city), a public reporter, the platform service that files creators' appeals, and
the accounts the simulated content is posted from."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.auth.service import create_user, principal_for_user
from salingjaga.content.models import Account
from salingjaga.content.schemas import AccountIn
from salingjaga.content.service import upsert_account
from salingjaga.partners.models import Partner
from salingjaga.partners.service import create_partner
from salingjaga.regions.elections import get_election
from salingjaga.regions.service import regencies
from salingjaga.simulate.scenario import Scenario, Shift, StaffGroup

ACCOUNTS = 200  # accounts the simulated items are spread over


@dataclass
class Moderator:
    """One member of staff, the shift they work and what they are skilled in."""

    index: int
    principal: Principal
    shift: Shift
    group: StaffGroup
    on_shift: bool = False
    busy: bool = False
    busy_s: float = 0.0
    shift_s: float = 0.0
    shift_end_s: float = 0.0  # when the shift being worked ends (seconds from the start)

    def factor(self, policy: str, language: str, unskilled: float) -> float:
        """How much longer than the scenario's handling time this person takes on a case
        outside their policies or languages (an empty skill list means all)."""
        out = 1.0
        if self.group.policies and policy not in self.group.policies:
            out *= unskilled
        if self.group.languages and language not in self.group.languages:
            out *= unskilled
        return out


@dataclass
class World:
    """What a run acts as and on."""

    moderators: list[Moderator]
    senders: dict[int, list[Principal]]  # stream index -> one principal per partner
    regions: dict[int, list[str | None]]  # stream index -> each partner's region
    service: Principal
    accounts: list[Account] = field(default_factory=list)
    # Held for the run, as the accounts are: the session then finds them in its identity
    # map when a decision notifies them, instead of reading the row again each time.
    partners: list[Partner] = field(default_factory=list)


def _partner_regions(election: str, level: str, count: int) -> list[str | None]:
    """Where each partner of a stream sits: national, or the provinces or regencies/cities
    that hold the election (Pilkada 2024: 37 provinces, 508 regencies/cities), in turn."""
    if level == "national":
        return [None] * count
    scope = get_election(election)
    pool = sorted(scope.province_codes if level == "province" else scope.regency_codes)
    return [pool[i % len(pool)] for i in range(count)]


def build_world(session: Session, scenario: Scenario) -> World:
    """Create the staff, partners, reporter and accounts of ``scenario``."""
    moderators: list[Moderator] = []
    for shift in scenario.shifts:
        for g, group in enumerate(shift.staff):
            for i in range(group.count):
                user = create_user(session, name=f"{shift.name} {group.seniority} {g}.{i}", role=group.seniority)
                moderators.append(Moderator(len(moderators), principal_for_user(user), shift, group))
    senders: dict[int, list[Principal]] = {}
    regions: dict[int, list[str | None]] = {}
    partners: list[Partner] = []
    for index, stream in enumerate(scenario.streams):
        if stream.kind == "user":
            user = create_user(session, name=f"public reporters {index}", role="user")
            senders[index] = [principal_for_user(user)]
            regions[index] = [None]
            continue
        regions[index] = _partner_regions(scenario.election, stream.level, stream.partners)
        senders[index] = []
        for p, region in enumerate(regions[index]):
            partner = create_partner(session, name=f"{stream.kind} {stream.level} {index}.{p}", kind=stream.kind,
                                     region=region, trusted=stream.trusted, policies=sorted(stream.policies))
            partners.append(partner)
            user = create_user(session, name=f"{partner.name} (API)", role="partner_reporter", partner_id=partner.id)
            senders[index].append(principal_for_user(user))
    service = principal_for_user(create_user(session, name="Platform service (appeals)", role="service"))
    regs = [r.code for r in regencies()]
    accounts = [upsert_account(session, AccountIn(
        platform_id=f"sim-acc-{i}", handle=f"sim_account_{i}", display_name=f"Akun {i}", kind="personal",
        region=regs[(i * 7) % len(regs)], followers=100 + i * 37))[0] for i in range(ACCOUNTS)]
    return World(moderators=moderators, senders=senders, regions=regions, service=service, accounts=accounts,
                 partners=partners)
