"""Telling the user how a top-up or withdrawal ended, once the bank has answered.

In-app always; by SMS/email too when money left for a card (a withdrawal), so a theft cannot
go unnoticed. Failure notices carry the same reason and next step as the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.banking.models import BankOperation, Card, OperationKind, OperationStatus
from walletdesk.banking.reasons import explanation
from walletdesk.i18n import N_, Text
from walletdesk.identity.vault import contacts_for_notice
from walletdesk.notify.templates import TEMPLATES, Template

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

TOPUP_SUCCEEDED = "banking.topup_succeeded"
TOPUP_FAILED = "banking.topup_failed"
WITHDRAWAL_SUCCEEDED = "banking.withdrawal_succeeded"
WITHDRAWAL_FAILED = "banking.withdrawal_failed"

for _template in (
    Template(
        TOPUP_SUCCEEDED,
        N_("Top-up received"),
        N_("{amount} from your card ending {last4} is in your wallet."),
    ),
    Template(
        TOPUP_FAILED,
        N_("Top-up did not go through"),
        N_("Your top-up of {amount} from the card ending {last4} failed: {reason} {next_step}"),
    ),
    Template(
        WITHDRAWAL_SUCCEEDED,
        N_("Withdrawal sent"),
        N_(
            "{amount} was sent to your card ending {last4} (fee {fee}). If this was not "
            "you, freeze your wallet in the app at once."
        ),
    ),
    Template(
        WITHDRAWAL_FAILED,
        N_("Withdrawal did not go through"),
        N_(
            "Your withdrawal of {amount} to the card ending {last4} failed and the money "
            "is back in your wallet: {reason} {next_step}"
        ),
    ),
):
    TEMPLATES[_template.key] = _template


def announce_result(rt: Runtime, uow: UnitOfWork, operation: BankOperation, card: Card) -> None:
    """Queue the notice for a settled operation (inside the settling transaction)."""
    user = uow.users.get(operation.user_id)
    if user is None or operation.status == OperationStatus.PROCESSING:
        return
    withdrawal = operation.kind == OperationKind.WITHDRAWAL
    succeeded = operation.status == OperationStatus.SUCCEEDED
    params: dict[str, object] = {
        "amount": operation.money.format(user.locale),
        "last4": card.last4,
        "fee": operation.fee_money.format(user.locale),
    }
    if not succeeded:
        reason = explanation(operation.reason_code or "")
        params |= {"reason": Text(reason.message), "next_step": Text(reason.next_step)}
    if withdrawal:
        template = WITHDRAWAL_SUCCEEDED if succeeded else WITHDRAWAL_FAILED
    else:
        template = TOPUP_SUCCEEDED if succeeded else TOPUP_FAILED
    rt.outbox.notify_user(
        uow,
        now=rt.clock.now(),
        user=user,
        template=template,
        params=params,
        contacts=contacts_for_notice(rt.cipher, user) if withdrawal and succeeded else [],
    )
