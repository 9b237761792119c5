"""The objects every service needs, built once per process (or per test) from Settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from walletdesk.bounded import BoundedMemo
from walletdesk.channels.bank import BankGateway
from walletdesk.channels.bank_simulator import BankSimulator
from walletdesk.channels.base import MessageSender
from walletdesk.channels.simulators import SimulatedSender
from walletdesk.channels.smtp import SmtpSender
from walletdesk.clock import Clock, SystemClock
from walletdesk.fieldcrypt import FieldCipher
from walletdesk.identity.passwords import Argon2Parameters, PasswordHasher
from walletdesk.ledger.group_commit import GroupCommit
from walletdesk.merchants.policy import MerchantPolicy
from walletdesk.notify.delivery import Dispatcher, InboxSender
from walletdesk.notify.events import EventBus
from walletdesk.notify.models import Channel
from walletdesk.notify.outbox import Outbox
from walletdesk.randomness import RandomSource, SystemRandom
from walletdesk.ratelimit import MemoryRateLimiter, Rate, RateLimiter, RedisRateLimiter
from walletdesk.settings import Settings
from walletdesk.storage.database import create_database_engine
from walletdesk.storage.uow import Database
from walletdesk.support.events import InProcessPublisher, Publisher
from walletdesk.support.viewers import CaseViewers, MemoryCaseViewers, RedisCaseViewers

if TYPE_CHECKING:
    from walletdesk.bot.artefact import BrainHolder
    from walletdesk.ledger.transfer_batches import TransferOrder
    from walletdesk.ledger.transfers import TransferResult


@dataclass(frozen=True)
class Rates:
    login_account: Rate
    login_ip: Rate
    code_destination: Rate
    code_ip: Rate
    reset_account: Rate
    reset_ip: Rate

    @classmethod
    def from_settings(cls, settings: Settings) -> Rates:
        return cls(
            login_account=Rate.parse(settings.rate_login_account),
            login_ip=Rate.parse(settings.rate_login_ip),
            code_destination=Rate.parse(settings.rate_code_destination),
            code_ip=Rate.parse(settings.rate_code_ip),
            reset_account=Rate.parse(settings.rate_reset_account),
            reset_ip=Rate.parse(settings.rate_reset_ip),
        )


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    random: RandomSource
    cipher: FieldCipher
    passwords: PasswordHasher
    limiter: RateLimiter
    rates: Rates
    outbox: Outbox
    dispatcher: Dispatcher
    events: EventBus
    bank: BankGateway
    senders: dict[str, MessageSender] = field(default_factory=dict)
    merchant_policy: MerchantPolicy = field(default_factory=MerchantPolicy)
    support_events: Publisher = field(default_factory=InProcessPublisher)
    case_viewers: CaseViewers = field(default_factory=MemoryCaseViewers)
    # PostgreSQL only: P2P transfers posted by group commit (`ledger.transfer_batches`).
    transfer_batches: GroupCommit[TransferOrder, TransferResult] | None = None
    # The bot's understanding: the saved model from <data_dir>/bot, else trained in-process.
    bot_brain: BrainHolder | None = None
    # Ledger account ids by code, filled as accounts are seen committed (`ledger.accounts`):
    # a code never changes hands and an account is never deleted, so an id once known stays
    # true, and hot paths skip the look-up. Bounded: a server meets millions of wallets.
    account_ids: BoundedMemo[str, str] = field(default_factory=BoundedMemo)
    # Device fingerprints by device row id (`risk.screening.fingerprint`): a row's fingerprint
    # never changes, so the risk engine reads each once.
    device_fingerprints: BoundedMemo[str, str] = field(
        default_factory=lambda: BoundedMemo(ceiling=20_000)
    )

    def close(self) -> None:
        self.dispatcher.stop()
        self.db.dispose()


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    random: RandomSource | None = None,
    argon2: Argon2Parameters | None = None,
    senders: dict[str, MessageSender] | None = None,
) -> Runtime:
    settings.check_safe()
    clock = clock or SystemClock()
    random = random or SystemRandom()
    db = Database(create_database_engine(settings.resolved_database_url))
    cipher = FieldCipher(settings.secrets, random)
    limiter: RateLimiter
    if settings.redis_url:
        import redis

        limiter = RedisRateLimiter(redis.Redis.from_url(settings.redis_url), clock)
    else:
        limiter = MemoryRateLimiter(clock)
    events = EventBus()
    chosen: dict[str, MessageSender] = {
        Channel.SMS: SimulatedSender(Channel.SMS, db, cipher, clock),
        Channel.EMAIL: SimulatedSender(Channel.EMAIL, db, cipher, clock),
        Channel.INAPP: InboxSender(db),
        Channel.EVENT: events,
    }
    if settings.smtp_host:
        chosen[Channel.EMAIL] = SmtpSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    chosen.update(senders or {})
    dispatcher = Dispatcher(db, cipher, clock, chosen)
    outbox = Outbox(cipher, random, deliver=dispatcher.deliver_quietly)
    rt = Runtime(
        settings=settings,
        db=db,
        clock=clock,
        random=random,
        cipher=cipher,
        passwords=PasswordHasher(random, argon2),
        limiter=limiter,
        rates=Rates.from_settings(settings),
        outbox=outbox,
        dispatcher=dispatcher,
        events=events,
        bank=BankSimulator(
            db=db,
            clock=clock,
            random=random,
            sms=chosen[Channel.SMS],
            secret_key=settings.secrets.secret_key,
        ),
        senders=chosen,
    )
    from walletdesk.bot.artefact import BrainHolder

    rt.bot_brain = BrainHolder(settings.data_dir)
    if settings.redis_url:
        import redis

        rt.case_viewers = RedisCaseViewers(redis.Redis.from_url(settings.redis_url))
    if db.dialect == "postgresql" and settings.transfer_group_commit:
        from walletdesk.ledger.transfer_batches import new_group_commit

        rt.transfer_batches = new_group_commit(rt)
    return rt
