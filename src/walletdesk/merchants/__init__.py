"""Merchant payments (商户收款): merchants with API keys, payment orders users pay from their
wallet, partial and full refunds by request number, signed webhooks, points (积分) and coupons
(优惠券). Money moves only through `walletdesk.ledger.posting.post_entry`."""
