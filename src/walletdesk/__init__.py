"""walletdesk: a digital wallet with its customer-service centre built in."""

__version__ = "0.1.0"
