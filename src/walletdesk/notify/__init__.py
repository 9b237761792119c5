"""Notifications: a transactional outbox written with the change, delivered after commit."""
