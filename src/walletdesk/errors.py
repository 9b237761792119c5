"""One error tree with stable codes.

Clients switch on `code`, never on the message. Messages are English msgids translated at the
edge into the caller's language; `params` fill their `{placeholders}`.

    DomainError                      (400 bad_request)
    ├── ValidationFailed             (422) a field is malformed or refused by policy
    ├── NotFound                     (404) missing *or* not yours: the two look the same
    ├── Conflict                     (409) the state does not allow it (already used, taken, ...)
    ├── AuthenticationFailed         (401) who you are could not be established
    ├── StepUpRequired               (403) a second factor is needed for this action
    ├── Forbidden                    (403) known actor, action not allowed (never for objects)
    ├── AccountLocked                (423) too many wrong passwords, retry later
    └── RateLimited                  (429) too many requests, retry after `retry_after` seconds
"""

from __future__ import annotations

from walletdesk.i18n import N_


class DomainError(Exception):
    http_status: int = 400
    default_code: str = "bad_request"
    default_message: str = N_("The request could not be processed.")

    def __init__(
        self,
        code: str | None = None,
        message: str | None = None,
        *,
        field: str | None = None,
        **params: object,
    ) -> None:
        self.code = code or self.default_code
        self.message = message or self.default_message
        self.field = field
        self.params = params
        super().__init__(f"{self.code}: {self.message}")


class ValidationFailed(DomainError):
    http_status = 422
    default_code = "validation_failed"
    default_message = N_("Some of the information you entered is not valid.")


class NotFound(DomainError):
    http_status = 404
    default_code = "not_found"
    default_message = N_("We could not find what you asked for.")


class Conflict(DomainError):
    http_status = 409
    default_code = "conflict"
    default_message = N_("This cannot be done in the current state.")


class AuthenticationFailed(DomainError):
    http_status = 401
    default_code = "authentication_failed"
    default_message = N_("Please sign in again.")


class StepUpRequired(DomainError):
    http_status = 403
    default_code = "step_up_required"
    default_message = N_("Please confirm it is you with a verification code first.")


class Forbidden(DomainError):
    http_status = 403
    default_code = "forbidden"
    default_message = N_("You are not allowed to do this.")


class AccountLocked(DomainError):
    http_status = 423
    default_code = "account_locked"
    default_message = N_(
        "Too many wrong passwords. Your account is locked; try again in {minutes} minutes "
        "or reset your password."
    )

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(minutes=max(1, -(-retry_after // 60)))


class RateLimited(DomainError):
    http_status = 429
    default_code = "rate_limited"
    default_message = N_("Too many attempts. Please wait {seconds} seconds and try again.")

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(seconds=retry_after)
