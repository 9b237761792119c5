"""Unit of work: one transaction, the repositories bound to it, and after-commit hooks.

Leaving the `with` block without `commit()` rolls back, so a failure half-way through a service
can never leave half-written state. Side effects that must not announce uncommitted changes
(outbox delivery, WebSocket pushes) are registered with `on_commit` and run only after commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import SQLAlchemyError

from walletdesk.storage.repositories.agent_tools import AgentToolsStore
from walletdesk.storage.repositories.audit import AuditRepository
from walletdesk.storage.repositories.bot import BotStore
from walletdesk.storage.repositories.chat import ChatStore
from walletdesk.storage.repositories.complaints_kb import ComplaintsKbStore
from walletdesk.storage.repositories.identity import (
    DeviceRepository,
    LoginChallengeRepository,
    OneTimeCodeRepository,
    RecoveryCodeRepository,
    SessionRepository,
    StaffRoleRepository,
    UserRepository,
)
from walletdesk.storage.repositories.ledger import (
    HoldRepository,
    IdempotencyRepository,
    JournalRepository,
    LedgerAccountRepository,
    LimitUsageRepository,
)
from walletdesk.storage.repositories.notify import (
    InboxRepository,
    OutboxRepository,
    SimulatedMessageRepository,
)
from walletdesk.storage.repositories.risk import RiskRepository
from walletdesk.storage.repositories.risk_review import RiskReviewStore
from walletdesk.storage.repositories.routing import RoutingStore
from walletdesk.storage.repositories.support import SupportStore
from walletdesk.storage.repositories.transfer_engine import TransferEngineRepository
from walletdesk.storage.repositories.verification import VerificationStore

logger = logging.getLogger(__name__)


class UnitOfWork:
    users: UserRepository
    staff_roles: StaffRoleRepository
    devices: DeviceRepository
    sessions: SessionRepository
    login_challenges: LoginChallengeRepository
    codes: OneTimeCodeRepository
    recovery_codes: RecoveryCodeRepository
    audit: AuditRepository
    outbox: OutboxRepository
    inbox: InboxRepository
    simulated: SimulatedMessageRepository
    accounts: LedgerAccountRepository
    journal: JournalRepository
    holds: HoldRepository
    idempotency: IdempotencyRepository
    limits: LimitUsageRepository
    transfer_engine: TransferEngineRepository
    risk: RiskRepository
    risk_review: RiskReviewStore
    support: SupportStore
    routing: RoutingStore
    agent_tools: AgentToolsStore
    verification: VerificationStore
    chat: ChatStore
    complaints_kb: ComplaintsKbStore
    bot: BotStore

    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        writer_lock: threading.RLock | None = None,
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._batches: dict[str, list[str]] = {}
        self._writer_lock = None if read_only else writer_lock
        self._holds_writer = False

    def __enter__(self) -> UnitOfWork:
        if self._writer_lock is not None:
            self._writer_lock.acquire()
            self._holds_writer = True
        try:
            return self._open()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            assert self._writer_lock is not None
            self._writer_lock.release()

    def _open(self) -> UnitOfWork:
        connection = self._engine.connect()
        if self._read_only and connection.dialect.name == "postgresql":
            # READ COMMITTED gives every statement its own snapshot anyway, so a read-only
            # unit of work loses nothing without BEGIN/ROLLBACK and saves two round trips.
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        elif self._read_only:
            connection = connection.execution_options(sqlite_begin="DEFERRED")
        self._connection = connection
        self._transaction = connection.begin()
        self.users = UserRepository(connection)
        self.staff_roles = StaffRoleRepository(connection)
        self.devices = DeviceRepository(connection)
        self.sessions = SessionRepository(connection)
        self.login_challenges = LoginChallengeRepository(connection)
        self.codes = OneTimeCodeRepository(connection)
        self.recovery_codes = RecoveryCodeRepository(connection)
        self.audit = AuditRepository(connection)
        self.outbox = OutboxRepository(connection)
        self.inbox = InboxRepository(connection)
        self.simulated = SimulatedMessageRepository(connection)
        self.accounts = LedgerAccountRepository(connection)
        self.journal = JournalRepository(connection)
        self.holds = HoldRepository(connection)
        self.idempotency = IdempotencyRepository(connection)
        self.limits = LimitUsageRepository(connection)
        self.transfer_engine = TransferEngineRepository(connection)
        self.risk = RiskRepository(connection)
        self.risk_review = RiskReviewStore(connection)
        self.support = SupportStore(connection)
        self.routing = RoutingStore(connection)
        self.agent_tools = AgentToolsStore(connection)
        self.verification = VerificationStore(connection)
        self.chat = ChatStore(connection)
        self.complaints_kb = ComplaintsKbStore(connection)
        self.bot = BotStore(connection)
        return self

    @property
    def connection(self) -> Connection:
        assert self._connection is not None, "unit of work used outside its with-block"
        return self._connection

    @property
    def dialect(self) -> str:
        """ "postgresql" or "sqlite", for the few places that take a faster path on one."""
        return self.connection.dialect.name

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def on_commit_batch(self, key: str, item: str, flush: Callable[[list[str]], None]) -> None:
        """Collect `item` under `key`; after commit, `flush` runs once with all of them (one
        outbox delivery per transaction instead of one per message)."""
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = []
            self.on_commit(lambda: flush(list(batch)))
        batch.append(item)

    def commit(self) -> None:
        assert self._transaction is not None
        self._transaction.commit()
        # The write is on disk: the next writer may start while the side effects run (they may
        # open units of work of their own).
        self._release_writer()
        callbacks, self._after_commit = self._after_commit, []
        self._batches = {}
        for callback in callbacks:
            try:
                callback()
            except Exception:
                # The change is committed; a failed side effect is retried by its own worker.
                logger.exception("after-commit callback failed")

    def commit_unflushed(self) -> None:
        """Commit without waiting for the write-ahead log to reach the disk (PostgreSQL's
        ``synchronous_commit = off`` for this transaction only; SQLite commits as usual).

        Only for writes a crash may lose harmlessly. A crash can lose the last such commits,
        never reorder them: any later transaction that commits durably flushes the log up to
        its own commit record, and so every earlier commit with it."""
        if self.dialect == "postgresql":
            self.connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        self.commit()

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()
        self._after_commit.clear()
        self._batches = {}

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            try:
                if self._connection is not None:
                    self._connection.close()
            finally:
                self._connection = None
                self._transaction = None
                self._release_writer()


class Database:
    """The engine plus a factory of units of work.

    On SQLite one transaction writes at a time (`BEGIN IMMEDIATE`), and a writer that finds the
    file locked waits in SQLite's busy handler, which sleeps 1 ms, then 2, 5, 10 … up to 100 ms
    between tries rather than waking when the lock is free: at 200 chat messages/s most of a
    message's latency was those sleeps (docs/benchmarks.md, chat). So this process's writers
    queue on a lock of their own first, and each is woken as soon as the one before it has
    committed; the busy handler is left to other processes (migrations, a second server). A
    lock re-entered by one thread lets an inner unit of work reach SQLite as before.
    PostgreSQL needs no such lock: its writers lock rows, not the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer_lock = threading.RLock() if engine.dialect.name == "sqlite" else None

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only, writer_lock=self._writer_lock)

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except SQLAlchemyError:
            return False
        return True

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
