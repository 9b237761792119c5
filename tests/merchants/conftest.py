"""The merchants' webhook receivers in these tests run on 127.0.0.1, so this test runtime
allows private webhook addresses explicitly (as a developer's does); the SSRF tests switch
it off again to prove the check."""

import pytest

from walletdesk.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True})
