"""Adapters to the outside world (SMS gateway, email, later IVR and WeChat). Adapters only."""
