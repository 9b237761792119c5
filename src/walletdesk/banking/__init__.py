"""Bank cards, top-ups (充值) and withdrawals (提现) through the bank gateway adapter."""
