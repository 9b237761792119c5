"""Every message outside the pages (errors, notifications) has a zh-CN translation with the
same placeholders, and the en catalog knows it too."""

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

PACKAGE = Path(str(resources.files("walletdesk")))
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def domain_messages() -> set[str]:
    found: set[str] = set()
    for _filename, _, message, _, _ in extract_from_dir(
        str(PACKAGE), [("web/**", "ignore"), ("**.py", "python")], keywords={"N_": None}
    ):
        if isinstance(message, str):
            found.add(message)
    return found


def catalog(folder: str) -> dict[str, str]:
    """messages.po plus every per-area catalog (all but the pages')."""
    found: dict[str, str] = {}
    for path in sorted((PACKAGE / "locale" / folder / "LC_MESSAGES").glob("*.po")):
        if path.name == "pages.po":
            continue
        with path.open("rb") as handle:
            for m in read_po(handle):
                if m.id and (m.string or str(m.id) not in found):
                    found[str(m.id)] = str(m.string)
    return found


def test_the_source_has_domain_messages() -> None:
    assert len(domain_messages()) > 80


@pytest.mark.parametrize("folder", ["zh_CN", "en"])
def test_every_domain_message_is_in_the_catalog(folder: str) -> None:
    missing = sorted(domain_messages() - set(catalog(folder)))
    assert missing == [], f"run `make i18n` and translate: {missing}"


def test_every_domain_message_has_a_chinese_translation_with_its_placeholders() -> None:
    zh = catalog("zh_CN")
    problems = []
    for message in domain_messages():
        translated = zh.get(message, "")
        if not translated:
            problems.append(f"untranslated: {message}")
        elif set(PLACEHOLDER.findall(message)) != set(PLACEHOLDER.findall(translated)):
            problems.append(f"placeholders differ: {message}")
    assert problems == []
