"""`walletdesk bench`: load generators that measure the ledger against pgbench on one server."""
