"""Message texts. Titles and bodies are msgids translated into the recipient's language when
the message is written to the outbox, so the record shows exactly what was sent."""

from __future__ import annotations

from dataclasses import dataclass

from walletdesk.i18n import N_, translate

STAFF_NEVER_ASK = N_("Our staff will never ask for your password or code.")
SMS_SIGNATURE = N_("[walletdesk]")


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    body: str
    carries_code: bool = False


_ALL = [
    Template(
        "code.password_reset",
        N_("Your password reset code"),
        N_("Your walletdesk password reset code is {code}. It expires in {minutes} minutes."),
        carries_code=True,
    ),
    Template(
        "code.step_up",
        N_("Your verification code"),
        N_("Your walletdesk verification code is {code}. It expires in {minutes} minutes."),
        carries_code=True,
    ),
    Template(
        "code.contact_verify",
        N_("Confirm your new contact"),
        N_(
            "Your code to confirm this number or address for walletdesk is {code}. "
            "It expires in {minutes} minutes."
        ),
        carries_code=True,
    ),
    Template(
        "account.welcome",
        N_("Welcome to walletdesk"),
        N_(
            "Hello {name}, your walletdesk account is ready. Turn on two-factor sign-in in the "
            "security centre to protect it."
        ),
    ),
    Template(
        "account.locked",
        N_("Your account was locked"),
        N_(
            "Your walletdesk account was locked for {minutes} minutes after too many wrong "
            "passwords. If this was not you, reset your password now."
        ),
    ),
    Template(
        "session.new_device",
        N_("New sign-in to your account"),
        N_(
            "Your walletdesk account was signed in on a new device ({device}) at {time}. "
            "If this was not you, freeze your wallet and change your password now."
        ),
    ),
    Template(
        "password.reset_done",
        N_("Your password was reset"),
        N_(
            "Your walletdesk password was reset at {time} and every device was signed out. "
            "If this was not you, contact us through the app at once."
        ),
    ),
    Template(
        "password.changed",
        N_("Your password was changed"),
        N_("Your walletdesk password was changed at {time}. If this was not you, reset it now."),
    ),
    Template(
        "contact.changed",
        N_("Your contact details were changed"),
        N_(
            "The {kind} on your walletdesk account was changed to {masked} at {time}. "
            "If this was not you, freeze your wallet in the app at once."
        ),
    ),
    Template(
        "two_factor.enabled",
        N_("Two-factor sign-in is on"),
        N_("Two-factor sign-in was turned on for your walletdesk account at {time}."),
    ),
    Template(
        "two_factor.disabled",
        N_("Two-factor sign-in is off"),
        N_(
            "Two-factor sign-in was turned off for your walletdesk account at {time}. "
            "If this was not you, reset your password now."
        ),
    ),
    Template(
        "wallet.frozen",
        N_("Your wallet is frozen"),
        N_(
            "Your walletdesk wallet was frozen at {time}. No money can leave it until it is "
            "unfrozen. You can still sign in and look."
        ),
    ),
    Template(
        "wallet.unfrozen",
        N_("Your wallet is unfrozen"),
        N_("Your walletdesk wallet was unfrozen at {time}."),
    ),
]

_ALL.append(
    Template(
        "transfer.received",
        N_("You received money"),
        N_("{name} sent you {amount}. It is in your wallet now."),
    )
)

_ALL += [  # risk review (risk/held_transfers.py, risk/review.py)
    Template(
        "risk.transfer_held",
        N_("Your transfer is under review"),
        N_(
            "Your transfer of {amount} is under review. The money is reserved in your wallet "
            "and we expect a decision by {expected_by}. You can cancel it in the app."
        ),
    ),
    Template(
        "risk.transfer_declined",
        N_("Your transfer was not sent"),
        N_(
            "Your transfer of {amount} was not sent after review. The reserved money is "
            "available in your wallet again."
        ),
    ),
    Template(
        "risk.transfer_approved",
        N_("Your transfer was sent"),
        N_("Your transfer of {amount} was approved after review and sent."),
    ),
    Template(
        "risk.question",
        N_("We need to confirm a transfer with you"),
        N_(
            "We need to confirm a recent transfer with you. Please open the walletdesk app "
            "and contact support from there. Staff will never ask for your password or code."
        ),
    ),
]

TEMPLATES: dict[str, Template] = {template.key: template for template in _ALL}


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def render(key: str, locale: str, params: dict[str, object], *, sms: bool = False) -> Rendered:
    template = TEMPLATES[key]
    title = translate(template.title, locale)
    body = translate(template.body, locale, **params)
    if template.carries_code:
        # Every message that carries a code also says that staff never ask for it.
        body = f"{body} {translate(STAFF_NEVER_ASK, locale)}"
    if sms:
        body = f"{translate(SMS_SIGNATURE, locale)}{body}"
    return Rendered(title=title, body=body)
