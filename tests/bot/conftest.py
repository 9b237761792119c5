"""One model trained on the shipped catalogue for the whole session (a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from walletdesk.bot.artefact import save_brain
from walletdesk.bot.catalogue import Catalogue, load_catalogue
from walletdesk.bot.understanding import Brain


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
