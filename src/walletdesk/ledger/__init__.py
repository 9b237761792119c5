"""The money core: double-entry ledger, holds, transfers, limits, idempotency."""
