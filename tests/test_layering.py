"""Dependencies point inward: domain modules import no web framework and no SQLAlchemy."""

import pkgutil
import subprocess
import sys

import pytest

import walletdesk.audit
import walletdesk.banking
import walletdesk.identity
import walletdesk.ledger
import walletdesk.merchants
import walletdesk.risk
import walletdesk.support

DOMAIN_PACKAGES = [
    walletdesk.identity,
    walletdesk.audit,
    walletdesk.ledger,
    walletdesk.banking,
    walletdesk.merchants,
    walletdesk.risk,
    walletdesk.support,
]
DOMAIN_MODULES = sorted(
    f"{package.__name__}.{info.name}"
    for package in DOMAIN_PACKAGES
    for info in pkgutil.iter_modules(package.__path__)
) + [
    "walletdesk.notify.models",
    "walletdesk.notify.templates",
    "walletdesk.errors",
    "walletdesk.clock",
    "walletdesk.randomness",
    "walletdesk.ratelimit",
]


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_modules_import_no_framework_and_no_sqlalchemy(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'fastapi', 'starlette', 'jinja2'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"
