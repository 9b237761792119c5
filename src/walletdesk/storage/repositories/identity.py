"""Repositories of the identity package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ARRAY,
    Connection,
    Text,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from walletdesk.identity.models import (
    Device,
    LoginChallenge,
    OneTimeCode,
    Payee,
    RecoveryCode,
    Session,
    User,
)
from walletdesk.storage import tables as t
from walletdesk.storage.repositories.base import DataclassRepository


class UserRepository(DataclassRepository[User]):
    table = t.users
    model = User

    def get_by_login_index(self, index: str, *, for_update: bool = False) -> User | None:
        statement = select(t.users).where(
            or_(t.users.c.phone_index == index, t.users.c.email_index == index)
        )
        if for_update:
            statement = statement.with_for_update()
        return self._one(statement)

    def named(self, *, ids: list[str], login_indexes: list[str]) -> dict[str, User]:
        """The users named by id or by a phone/email blind index, keyed by what named them."""
        c = t.users.c
        conditions = []
        if ids:
            conditions.append(c.id.in_(ids))
        if login_indexes:
            conditions += [c.phone_index.in_(login_indexes), c.email_index.in_(login_indexes)]
        if not conditions:
            return {}
        found: dict[str, User] = {}
        for user in self._many(select(t.users).where(or_(*conditions))):
            found[user.id] = user
            for index in (user.phone_index, user.email_index):
                if index is not None:
                    found[index] = user
        return found

    def payees(self, *, ids: list[str], login_indexes: list[str]) -> dict[str, Payee]:
        """`named` for a payout's recipients: only what paying and telling them needs, keyed
        by what named them. A payout names up to 1,000 people, so on PostgreSQL each list
        travels as one array parameter (one cached statement, not 1,000 placeholders)."""
        c = t.users.c
        columns = (c.id, c.display_name, c.locale, c.phone_index, c.email_index)
        if self.connection.dialect.name == "postgresql":
            statement = select(*columns).where(
                or_(
                    c.id == any_(bindparam("ids", type_=ARRAY(Text))),
                    c.phone_index == any_(bindparam("indexes", type_=ARRAY(Text))),
                    c.email_index == any_(bindparam("indexes", type_=ARRAY(Text))),
                )
            )
            rows = self.connection.execute(statement, {"ids": ids, "indexes": login_indexes})
        else:
            rows = self.connection.execute(
                select(*columns).where(
                    or_(
                        c.id.in_(ids),
                        c.phone_index.in_(login_indexes),
                        c.email_index.in_(login_indexes),
                    )
                )
            )
        found: dict[str, Payee] = {}
        for user_id, display_name, locale, phone_index, email_index in rows:
            payee = Payee(id=user_id, display_name=display_name, locale=locale)
            found[user_id] = payee
            for index in (phone_index, email_index):
                if index is not None:
                    found[index] = payee
        return found

    def get_for_share(self, user_id: str) -> User | None:
        """Read under a shared row lock (PostgreSQL); SQLite's single writer needs none."""
        return self._one(select(t.users).where(t.users.c.id == user_id).with_for_update(read=True))

    def index_taken(self, index: str) -> bool:
        statement = select(func.count()).where(
            or_(
                t.users.c.phone_index == index,
                t.users.c.email_index == index,
            )
        )
        return bool(self.connection.execute(statement).scalar_one())

    def id_number_taken(self, index: str) -> bool:
        statement = select(func.count()).where(t.users.c.id_number_index == index)
        return bool(self.connection.execute(statement).scalar_one())

    def count(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(t.users)).scalar_one())

    def list_all(self, *, limit: int = 500) -> list[User]:
        return self._many(select(t.users).order_by(t.users.c.created_at).limit(limit))


class StaffRoleRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def roles_of(self, user_id: str) -> frozenset[str]:
        rows = self.connection.execute(
            select(t.staff_roles.c.role).where(t.staff_roles.c.user_id == user_id)
        )
        return frozenset(row.role for row in rows)

    def grant(self, user_id: str, role: str, granted_at: datetime, granted_by: str | None) -> None:
        self.connection.execute(
            insert(t.staff_roles).values(
                user_id=user_id, role=role, granted_at=granted_at, granted_by=granted_by
            )
        )

    def revoke(self, user_id: str, role: str) -> bool:
        result = self.connection.execute(
            delete(t.staff_roles).where(
                t.staff_roles.c.user_id == user_id, t.staff_roles.c.role == role
            )
        )
        return bool(result.rowcount)


class DeviceRepository(DataclassRepository[Device]):
    table = t.devices
    model = Device

    def get_by_fingerprint(self, user_id: str, fingerprint: str) -> Device | None:
        return self._one(
            select(t.devices).where(
                t.devices.c.user_id == user_id, t.devices.c.fingerprint == fingerprint
            )
        )

    def list_for_user(self, user_id: str) -> list[Device]:
        return self._many(
            select(t.devices)
            .where(t.devices.c.user_id == user_id)
            .order_by(t.devices.c.last_seen_at.desc())
        )


class SessionRepository(DataclassRepository[Session]):
    table = t.sessions
    model = Session

    def get_by_token_hash(self, token_hash: str) -> Session | None:
        return self._one(select(t.sessions).where(t.sessions.c.token_hash == token_hash))

    def with_user_by_token_hash(
        self, token_hash: str
    ) -> tuple[Session, User, frozenset[str]] | None:
        """The session, its user and the user's staff roles in one query (every API request
        authenticates, so this is one round trip instead of three)."""
        s, u, r = t.sessions, t.users, t.staff_roles
        statement = (
            select(
                *[c.label(f"s_{c.name}") for c in s.columns],
                *[c.label(f"u_{c.name}") for c in u.columns],
                r.c.role,
            )
            .join(u, u.c.id == s.c.user_id)
            .outerjoin(r, r.c.user_id == u.c.id)
            .where(s.c.token_hash == token_hash)
        )
        rows = self.connection.execute(statement).all()
        if not rows:
            return None
        first = rows[0]._mapping
        session = Session(**{c.name: first[f"s_{c.name}"] for c in s.columns})
        user = User(**{c.name: first[f"u_{c.name}"] for c in u.columns})
        return session, user, frozenset(row.role for row in rows if row.role is not None)

    def list_active_for_user(self, user_id: str, now: datetime) -> list[Session]:
        return self._many(
            select(t.sessions)
            .where(
                t.sessions.c.user_id == user_id,
                t.sessions.c.revoked_at.is_(None),
                t.sessions.c.expires_at > now,
            )
            .order_by(t.sessions.c.last_seen_at.desc())
        )

    def revoke_all_for_user(
        self, user_id: str, now: datetime, reason: str, *, except_id: str | None = None
    ) -> int:
        statement = update(t.sessions).where(
            t.sessions.c.user_id == user_id, t.sessions.c.revoked_at.is_(None)
        )
        if except_id is not None:
            statement = statement.where(t.sessions.c.id != except_id)
        result = self.connection.execute(statement.values(revoked_at=now, revoked_reason=reason))
        return int(result.rowcount)

    def touch(self, session_id: str, now: datetime, ip: str | None, expires_at: datetime) -> None:
        """Record activity and slide the idle expiry; a revoked session stays revoked."""
        self.connection.execute(
            update(t.sessions)
            .where(t.sessions.c.id == session_id)
            .values(last_seen_at=now, ip=ip, expires_at=expires_at)
        )


class LoginChallengeRepository(DataclassRepository[LoginChallenge]):
    table = t.login_challenges
    model = LoginChallenge

    def get_by_token_hash(self, token_hash: str) -> LoginChallenge | None:
        return self._one(
            select(t.login_challenges).where(t.login_challenges.c.token_hash == token_hash)
        )


class OneTimeCodeRepository(DataclassRepository[OneTimeCode]):
    table = t.one_time_codes
    model = OneTimeCode

    def latest_open(
        self, destination_index: str, purpose: str, now: datetime
    ) -> OneTimeCode | None:
        return self._one(
            select(t.one_time_codes)
            .where(
                t.one_time_codes.c.destination_index == destination_index,
                t.one_time_codes.c.purpose == purpose,
                t.one_time_codes.c.consumed_at.is_(None),
                t.one_time_codes.c.expires_at > now,
            )
            .order_by(t.one_time_codes.c.created_at.desc())
            .with_for_update()
        )

    def close_open(self, destination_index: str, purpose: str, now: datetime) -> None:
        """A new code replaces older ones: only the latest code for a purpose is valid."""
        self.connection.execute(
            update(t.one_time_codes)
            .where(
                t.one_time_codes.c.destination_index == destination_index,
                t.one_time_codes.c.purpose == purpose,
                t.one_time_codes.c.consumed_at.is_(None),
            )
            .values(consumed_at=now)
        )


class RecoveryCodeRepository(DataclassRepository[RecoveryCode]):
    table = t.recovery_codes
    model = RecoveryCode

    def unused_for_user(self, user_id: str) -> list[RecoveryCode]:
        return self._many(
            select(t.recovery_codes).where(
                t.recovery_codes.c.user_id == user_id, t.recovery_codes.c.used_at.is_(None)
            )
        )

    def remove_all_for_user(self, user_id: str) -> None:
        # Recovery codes are credentials, not records: replacing them deletes the old set.
        self.connection.execute(
            delete(t.recovery_codes).where(t.recovery_codes.c.user_id == user_id)
        )

    def mark_used(self, code_id: str, now: datetime) -> bool:
        result = self.connection.execute(
            update(t.recovery_codes)
            .where(t.recovery_codes.c.id == code_id, t.recovery_codes.c.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(result.rowcount)
