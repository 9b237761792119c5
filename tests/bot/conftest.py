"""One model trained on the shipped catalogue for the whole session (a few seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from walletdesk.bot.artefact import model_dir, save_brain
from walletdesk.bot.catalogue import Catalogue, load_catalogue
from walletdesk.bot.understanding import Brain
from walletdesk.runtime import Runtime
from walletdesk.support.kb_seed import seed_kb


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def brain(catalogue: Catalogue) -> Brain:
    return Brain.train(catalogue)


@pytest.fixture(scope="session")
def saved_model_dir(brain: Brain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bot-model")
    save_brain(brain, directory)
    return directory


@pytest.fixture
def assistant(rt: Runtime, saved_model_dir: Path) -> Runtime:
    """The runtime with the assistant's model on disk and loaded, and the help centre's
    starter articles published: the assistant answers in chats from now on."""
    shutil.copytree(saved_model_dir, model_dir(rt.settings.data_dir), dirs_exist_ok=True)
    assert rt.bot_brain is not None
    rt.bot_brain.get()
    assert rt.bot_brain.source == "loaded"
    seed_kb(rt)
    return rt
