import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from walletdesk.bot.artefact import MANIFEST, BrainHolder, load_brain, model_dir, save_brain
from walletdesk.bot.catalogue import Catalogue
from walletdesk.bot.understanding import Brain

TODAY = date(2026, 11, 20)


def test_a_saved_model_loads_and_answers_like_the_trained_one(
    brain: Brain, catalogue: Catalogue, saved_model_dir: Path
) -> None:
    loaded = load_brain(saved_model_dir, catalogue)
    assert loaded is not None
    for text in ("充值失败了", "my card was stolen", "你好"):
        assert loaded.understand(text, "zh-CN", today=TODAY) == brain.understand(
            text, "zh-CN", today=TODAY
        )


def test_the_manifest_names_the_file_its_hash_format_and_catalogue(
    catalogue: Catalogue, saved_model_dir: Path
) -> None:
    manifest = json.loads((saved_model_dir / MANIFEST).read_text())
    assert manifest["format"] == 1
    assert manifest["catalogue_sha256"] == catalogue.digest()
    assert manifest["file"] == f"nlu-v1-{manifest['sha256'][:12]}.pickle"
    size = (saved_model_dir / manifest["file"]).stat().st_size
    assert size <= 50 * 1024 * 1024


def test_a_tampered_model_file_is_not_loaded(
    brain: Brain, catalogue: Catalogue, tmp_path: Path
) -> None:
    saved = save_brain(brain, tmp_path)
    data = bytearray(saved.path.read_bytes())
    data[-10] ^= 0xFF
    saved.path.write_bytes(bytes(data))
    assert load_brain(tmp_path, catalogue) is None


def test_a_model_of_another_catalogue_is_not_loaded(brain: Brain, tmp_path: Path) -> None:
    save_brain(brain, tmp_path)
    assert load_brain(tmp_path, Catalogue(())) is None


def test_no_manifest_means_no_saved_model(catalogue: Catalogue, tmp_path: Path) -> None:
    assert load_brain(tmp_path, catalogue) is None
    (tmp_path / MANIFEST).write_text("{not json")
    assert load_brain(tmp_path, catalogue) is None


def test_the_holder_uses_the_saved_model_instead_of_training(
    brain: Brain, catalogue: Catalogue, tmp_path: Path
) -> None:
    save_brain(brain, model_dir(tmp_path))
    holder = BrainHolder(tmp_path, catalogue)
    holder.warm_up().join()
    assert holder.source == "loaded"
    assert holder.get().understand("转人工", "zh-CN", today=TODAY).intent == "talk_to_human"


def test_loading_and_answering_need_neither_scikit_learn_nor_scipy(saved_model_dir: Path) -> None:
    probe = (
        "import sys\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from walletdesk.bot.artefact import load_brain\n"
        "from walletdesk.bot.catalogue import load_catalogue\n"
        f"brain = load_brain(Path({str(saved_model_dir)!r}), load_catalogue())\n"
        "brain.understand('充值失败了', 'zh-CN', today=date(2026, 1, 1))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', "
        "'sqlalchemy', 'fastapi'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
