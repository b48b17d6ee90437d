"""The registry's use cases: register, admit, publish, suspend, reinstate, bar, expel, read.

Who may do what is decided here and only here; each write is one unit of work, whose
projection (projections/registry.py) refuses what the lifecycle forbids.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable

from ledger.core.errors import Forbidden, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.registry import (
    CONTACT_SALT_BYTES,
    ORG_LIFECYCLE,
    SCHOOL_LIFECYCLE,
    Action,
    Level,
    Lifecycle,
    Organization,
    OrgStatus,
    School,
    SchoolLevel,
    SchoolStatus,
    Standard,
    check_credit_code,
    check_school_code,
    commit_contact,
    status_change_payload,
)
from ledger.kinds import Kind, kind_of
from ledger.services.log import LogService
from ledger.storage.registry import (
    MAX_PAGE_SIZE,
    OrgRecord,
    Page,
    PrivateContact,
    RegistryRepository,
    SchoolRecord,
    StandardRecord,
    ensure_active_org,
    ensure_distinct_name,
)
from ledger.storage.unit_of_work import Draft

#: The read models the service returns (and MAX_PAGE_SIZE, the largest page a list returns)
#: are exported from here, so callers need not know the storage that fills them.
__all__ = [
    "MAX_PAGE_SIZE",
    "OrgRecord",
    "Page",
    "Recorded",
    "RegistryService",
    "SchoolRecord",
    "StandardRecord",
    "may_see_contact",
]

#: Roles that read an organization's contact (besides the organization itself).
_CONTACT_READERS = frozenset({Role.OFFICE, Role.AUDITOR})


@dataclasses.dataclass(frozen=True, slots=True)
class Recorded:
    """What a registry write recorded: the object, the ledger index, the status after it."""

    id: str
    index: int
    status: str | None = None


def may_see_contact(viewer: Principal | None, org_id: str) -> bool:
    """True when ``viewer`` may read the contact of organization ``org_id``."""
    if viewer is None:
        return False
    return viewer.role in _CONTACT_READERS or (viewer.role is Role.ORG and viewer.id == org_id)


def _require_office(actor: Principal, doing: str) -> None:
    if actor.role is not Role.OFFICE:
        raise Forbidden(f"only the office may {doing}; {actor} may not")


def _new_salt() -> bytes:
    return secrets.token_bytes(CONTACT_SALT_BYTES)


class RegistryService:
    """Write and read the registry of organizations, pilot schools and standards."""

    def __init__(
        self,
        log: LogService,
        repository: RegistryRepository,
        new_salt: Callable[[], bytes] = _new_salt,
    ) -> None:
        self.log = log
        self.repository = repository
        self._new_salt = new_salt

    def ensure_may_write(self, actor: Principal) -> None:
        """Forbidden, with the reason, when an org or school principal has been suspended,
        barred or expelled: it can no longer write (BRIEF section 2).

        Principals the registry does not hold meet the checks of each write instead (an
        organization publishes standards only once registered, for example).
        """
        if actor.role is Role.ORG:
            self.repository.ensure_not_excluded(org_id=actor.id)
        elif actor.role is Role.SCHOOL:
            self.repository.ensure_not_excluded(school_id=actor.id)

    # -- organizations ------------------------------------------------------------

    def register_org(self, actor: Principal, org: Organization) -> Recorded:
        """Record ``org.registered`` (office only); Conflict if the organization exists.

        The entry holds the contact only as SHA-256(salt || contact); the contact and
        the salt go to the projection alone.
        """
        _require_office(actor, "register organizations")
        salt = self._new_salt()
        payload = org.entry_payload(commit_contact(org.contact, salt))
        contact = PrivateContact(org.contact, salt)
        with self.log.unit_of_work() as uow:
            ensure_distinct_name(uow.connection, org.name, org.id)
            [entry] = uow.append(Draft(Kind.ORG_REGISTERED, str(actor), payload, contact))
            uow.commit()
        return Recorded(org.id, entry.index, OrgStatus.REGISTERED.value)

    def suspend_org(self, actor: Principal, org_id: str, reason: str) -> Recorded:
        """Suspend a registered organization (office only); it can no longer write."""
        return self._change(actor, ORG_LIFECYCLE, org_id, Action.SUSPEND, reason)

    def reinstate_org(self, actor: Principal, org_id: str, reason: str) -> Recorded:
        """Lift an organization's suspension (office only)."""
        return self._change(actor, ORG_LIFECYCLE, org_id, Action.REINSTATE, reason)

    def bar_org(self, actor: Principal, org_id: str, reason: str) -> Recorded:
        """Bar an organization for good (office only); its past records stay valid."""
        return self._change(actor, ORG_LIFECYCLE, org_id, Action.BAR, reason)

    def org(self, viewer: Principal | None, org_id: str) -> OrgRecord:
        """The organization ``org_id``, its contact only if ``viewer`` may see it; NotFound."""
        record = self.repository.org(check_credit_code(org_id))
        if record is None:
            raise NotFound(f"there is no organization {org_id}")
        return self._shown(viewer, record)

    def orgs(
        self,
        viewer: Principal | None,
        *,
        status: OrgStatus | None = None,
        name_contains: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[OrgRecord]:
        """Organizations in registration order, contacts only where ``viewer`` may see them."""
        page = self.repository.orgs(
            status=status, name_contains=name_contains, limit=limit, offset=offset
        )
        return Page([self._shown(viewer, record) for record in page.items], page.total)

    @staticmethod
    def _shown(viewer: Principal | None, record: OrgRecord) -> OrgRecord:
        if may_see_contact(viewer, record.id):
            return record
        return dataclasses.replace(record, contact=None)

    # -- schools ------------------------------------------------------------------

    def admit_school(self, actor: Principal, school: School) -> Recorded:
        """Record ``school.admitted`` (office only); Conflict if the school exists."""
        _require_office(actor, "admit pilot schools")
        with self.log.unit_of_work() as uow:
            ensure_distinct_name(uow.connection, school.name, school.id)
            [entry] = uow.append(Draft(Kind.SCHOOL_ADMITTED, str(actor), school.entry_payload()))
            uow.commit()
        return Recorded(school.id, entry.index, SchoolStatus.ADMITTED.value)

    def suspend_school(self, actor: Principal, school_id: str, reason: str) -> Recorded:
        """Suspend an admitted school (office only); it can no longer write."""
        return self._change(actor, SCHOOL_LIFECYCLE, school_id, Action.SUSPEND, reason)

    def reinstate_school(self, actor: Principal, school_id: str, reason: str) -> Recorded:
        """Lift a school's suspension (office only)."""
        return self._change(actor, SCHOOL_LIFECYCLE, school_id, Action.REINSTATE, reason)

    def expel_school(self, actor: Principal, school_id: str, reason: str) -> Recorded:
        """Expel a school from the pilot for good (office only); its past records stay."""
        return self._change(actor, SCHOOL_LIFECYCLE, school_id, Action.EXPEL, reason)

    def school(self, school_id: str) -> SchoolRecord:
        """The school ``school_id``; NotFound when there is none."""
        record = self.repository.school(check_school_code(school_id))
        if record is None:
            raise NotFound(f"there is no school {school_id}")
        return record

    def schools(
        self,
        *,
        city: str | None = None,
        level: SchoolLevel | None = None,
        status: SchoolStatus | None = None,
        limit: int = 50,
        offset: int = 0,
        name_contains: str | None = None,
    ) -> Page[SchoolRecord]:
        """Pilot schools in admission order; ``name_contains`` searches names and codes."""
        return self.repository.schools(
            city=city,
            level=level,
            status=status,
            limit=limit,
            offset=offset,
            name_contains=name_contains,
        )

    # -- standards ----------------------------------------------------------------

    def publish_standard(self, actor: Principal, standard: Standard) -> Recorded:
        """Record ``standard.published`` by the owning organization itself.

        Forbidden for anyone else, and for the organization while it is suspended or
        barred (checked under the write lock); Conflict if the code is taken.
        """
        if actor.role is not Role.ORG or actor.id != standard.org:
            raise Forbidden(
                f"only organization {standard.org} may publish its standards; {actor} may not"
            )
        draft = Draft(Kind.STANDARD_PUBLISHED, str(actor), standard.entry_payload())
        with self.log.unit_of_work() as uow:
            ensure_active_org(uow.connection, standard.org)
            [entry] = uow.append(draft)
            uow.commit()
        return Recorded(standard.code, entry.index)

    def standard(self, code: str) -> StandardRecord:
        """The standard ``code``; NotFound when there is none."""
        record = self.repository.standard(code)
        if record is None:
            raise NotFound(f"there is no standard {code}")
        return record

    def standards(
        self,
        *,
        org: str | None = None,
        level: Level | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[StandardRecord]:
        """Standards in publication order, of one organization or offering one level."""
        return self.repository.standards(org=org, level=level, limit=limit, offset=offset)

    # -- exit ---------------------------------------------------------------------

    def _change(
        self,
        actor: Principal,
        lifecycle: Lifecycle,
        object_id: str,
        action: Action,
        reason: str,
    ) -> Recorded:
        """Record a status change (office only); NotFound or Conflict from the append."""
        _require_office(actor, f"{action.value} {lifecycle.noun}s")
        payload = status_change_payload(lifecycle, object_id, reason)
        with self.log.unit_of_work() as uow:
            [entry] = uow.append(Draft(kind_of(lifecycle.kinds[action]), str(actor), payload))
            uow.commit()
        return Recorded(object_id, entry.index, lifecycle.status_after(action))
