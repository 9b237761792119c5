"""The bot's understanding is a domain package: no web framework, no SQLAlchemy."""

import pkgutil
import subprocess
import sys

import walletdesk.bot

MODULES = sorted(f"walletdesk.bot.{m.name}" for m in pkgutil.iter_modules(walletdesk.bot.__path__))


def test_no_bot_module_imports_a_web_framework_or_sqlalchemy() -> None:
    probe = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'jinja2'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert len(MODULES) >= 10
    assert result.stdout.strip() == "[]"
