"""Everything the assistant says, as msgids (English source, zh-CN in `bot_dialogue.po`).

A reply is a list of `Line`s, each a msgid with its parameters, translated into the customer's
language when the turn posts it. No line ever asks for a password, a code, or a full card or
ID number (`tests/bot/test_dialogue_safety.py` runs every msgid through the agents' draft
check).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from walletdesk.i18n import N_, translate


@dataclass(frozen=True)
class Line:
    msgid: str
    params: dict[str, object] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        return translate(self.msgid, locale, **self.params)


def say(msgid: str, **params: object) -> Line:
    return Line(msgid, params)


def render(lines: list[Line], locale: str) -> str:
    return "\n".join(line.text(locale) for line in lines)


GREETING = N_("Hello! I am the walletdesk assistant. How can I help you?")
THANKS = N_("You are welcome. Is there anything else I can do for you?")
ANSWER_FROM_ARTICLE = N_("{title}: {summary}")
READ_MORE = N_("Read more: {link}")
WAS_IT_HELPFUL = N_("Did this answer help? You can rate it with a thumbs up or down.")
CLARIFY = N_("Do you mean 1) {first} or 2) {second}? Reply 1 or 2.")
NOT_UNDERSTOOD = N_(
    "Sorry, I did not understand that. Could you say it in other words? You can also write "
    "“human” to talk to a person."
)
GIVING_UP = N_("I could not help you with this, so I am passing you to a person.")
NOTHING_FOUND = N_("I could not find an answer to this in our help centre.")

# -- safety ---------------------------------------------------------------------------------
MASKED_REPLY = N_(
    "I hid what you sent. I will never ask for your password, a verification code or your "
    "full card or ID number, and neither will a real agent. If someone asked you for it, "
    "that is a scam: do not tell them, and you can freeze your wallet at once here."
)
SCAM_WARNING = N_(
    "Stop: this is very likely a scam. walletdesk never asks you to move money to a "
    "“safe account”, to share your screen, or to pay a fee to get a refund. Do not transfer "
    "anything and end the call or the screen sharing now."
)
FREEZE_OFFER = N_(
    "I can freeze your wallet now so that no money can leave it. Reply “yes” to freeze it, or “no”."
)
FREEZE_OFFER_BUTTON = N_(
    "To stop any money leaving your wallet, freeze it now with the “Freeze my wallet” "
    "button below or in Security; a person can also freeze it for you."
)
URGENT_HANDOFF = N_("I am passing you to a person right away, with priority.")
TAKEOVER_WARNING = N_(
    "If someone else may be using your account or card, act now: freezing stops money "
    "leaving your wallet at once."
)

# -- anonymous and step-up ------------------------------------------------------------------
LOGIN_NEEDED = N_(
    "I can only look at your wallet once you are signed in. Please sign in to the app and "
    "ask me again; I never ask for your password here."
)
STEP_UP_NEEDED = N_(
    "Full transaction details need one more check that it is you: tap “Confirm it is me” "
    "in the app and follow the steps there, not in this chat. Then I will show them."
)

# -- read tools -----------------------------------------------------------------------------
BALANCE_LINE = N_("{currency}: available {available}, held {held}")
BALANCE_INTRO = N_("Your wallet balance:")
RECENT_INTRO = N_("Your recent transactions:")
RECENT_LINE = N_("{when} · {kind} · {amount} · {status}")
NO_TRANSACTIONS = N_("I found no transactions in your wallet yet.")
DETAIL_LINE = N_(
    "{when} · {kind} · {amount} · {status} · reference {reference} · with {counterparty}"
)
TOPUP_FAILED = N_("Your top-up of {amount} on {when} failed: {reason} What to do: {next_step}")
NO_FAILED_TOPUP = N_("I see no failed top-up in your recent history.")
TOPUP_PROCESSING = N_(
    "Your top-up of {amount} from {when} is still processing at the bank: {reason}"
)
WITHDRAWAL_PROCESSING = N_(
    "Your withdrawal of {amount} from {when} is processing at the bank. It normally arrives "
    "by {expected}; the money stays held and is not lost."
)
WITHDRAWAL_FAILED = N_(
    "Your withdrawal of {amount} on {when} failed and the money is back in your wallet: "
    "{reason} What to do: {next_step}"
)
NO_PENDING_WITHDRAWAL = N_("I see no withdrawal waiting at the bank; your last one was {status}.")
NO_WITHDRAWAL = N_("I see no withdrawals in your recent history.")
TRANSFER_STATUS = N_("Your last transfer, {amount} to {counterparty} on {when}, is {status}.")
NO_TRANSFER = N_("I see no transfers in your recent history.")
LIMITS = N_("Your limits left: {per_transaction} per payment, {day} today, {year} this year.")
LIMIT_RAISE_HOW = N_(
    "To raise them, complete a higher identity level in Security, or ask me to raise your "
    "limit and a person will review it."
)
FEES = N_(
    "Withdrawals: the first {free} each month are free, then {rate}% (at least {minimum}). "
    "Top-ups and transfers between wallets are free."
)
FX_INTRO = N_("Today's exchange rates (CNY for one unit):")
FX_LINE = N_("{currency}: you buy at {buy}, you sell at {sell}")
NO_FX = N_("No exchange rates are published right now.")

# -- reversible tools -----------------------------------------------------------------------
CONFIRM_FREEZE = N_(
    "Do you want me to freeze your wallet now? While it is frozen no money can leave it; "
    "unfreezing needs a check that it is you. Reply “yes” to freeze, or “no”."
)
FROZEN = N_("Your wallet is frozen: no money can leave it. We have told you by SMS or email too.")
ALREADY_FROZEN = N_("Your wallet is already frozen.")
CONFIRM_RESET = N_(
    "Do you want to reset your password? I will send a reset code to your registered phone "
    "or email; you enter it only on the password reset screen. Reply “yes” or “no”."
)
RESET_STARTED = N_(
    "I sent a reset code to your registered contact. Open “Forgot password” in the app and "
    "enter it there. Never tell the code to anyone, me included."
)
RESET_FAILED = N_(
    "I could not send a reset code right now. Please try “Forgot password” in the app a "
    "little later."
)
CONFIRM_COMPLAINT = N_(
    "Do you want me to file a complaint with what you wrote? You get a reference number and "
    "a deadline for our answer. Reply “yes” or “no”."
)
COMPLAINT_FILED = N_(
    "Your complaint is filed with reference {reference}. We will answer by {due}; you can "
    "follow it under My complaints."
)
CALLBACK_BOOKED = N_(
    "A person will call you back from {hotline}. The app shows the call and its code "
    "before the phone rings: hang up if the caller does not say that code."
)
DECLINED = N_("All right, I did nothing. Anything else?")
UNDO_HINT_UNFREEZE = N_("You can unfreeze it later in Security, after a check that it is you.")

# -- money-moving: never executed by the assistant ------------------------------------------
MONEY_CASE_OPENED = N_(
    "I cannot {action} myself. I opened case {case} for our team: an agent prepares it and "
    "a second person approves it before any money or limit changes. You can follow it under "
    "My cases."
)
ACTION_NAMES = {
    "refund": N_("refund a payment"),
    "reverse": N_("reverse a transaction"),
    "unfreeze": N_("unfreeze your wallet"),
    "raise_limit": N_("raise your limits"),
}
MONEY_CASE_SUBJECT = N_("Assistant request: {action}")

# -- hand-off -------------------------------------------------------------------------------
HANDING_OFF = N_("I am passing you to a person now; they can see our conversation.")
AGENTS_OFFLINE = N_(
    "Our agents are offline now; a person will answer from {when}. I can book a call-back "
    "(reply 1) or leave a ticket for them (reply 2), or keep helping you meanwhile."
)
TICKET_LEFT = N_(
    "Your ticket is with our team; a person will answer here from {when}. You will be notified."
)

# -- proactive ------------------------------------------------------------------------------
SUGGEST_TOPUP_FAILED = N_("Your top-up of {amount} failed: {reason} What to do: {next_step}")
SUGGEST_WITHDRAWAL_PENDING = N_(
    "Your withdrawal of {amount} is on its way and normally arrives by {expected}."
)
SUGGEST_LIMIT_NEAR = N_(
    "You have used most of today's limit: {left} left. To raise it, complete a higher "
    "identity level in Security."
)
SUGGEST_COUPON = N_(
    "You have a coupon for {amount_off} off a payment of {min_spend} or more, valid until "
    "{expires}. Your usual payments at {merchant} qualify: choose it when you pay there."
)
