"""Plugins through real entry points: the example plugin (tests/plugins/curate-example-plugin, installed
by `make install`) and distributions written into tmp_path, found by importlib.metadata like any other."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import curate
from curate.detectors import Detector, DetectorResult, NeedProvider, available_detectors
from curate.detectors.builtin import BUILTIN_MODULES
from curate.detectors.registry import load_plugins, register, unregister
from curate.errors import PluginError
from curate.features import available_embedders, get_embedder
from curate.features.registry import load_embedder_plugins
from curate.testing import check_detector, check_embedder, topic_texts

try:
    from curate_example_plugin import CharCountEmbedder, ShoutingDetector
except ImportError as exc:  # pragma: no cover - says how to fix the environment instead of a bare ImportError
    raise ImportError("the example plugin is not installed: run `make install` (it installs "
                      "tests/plugins/curate-example-plugin)") from exc


def test_the_plugin_detector_comes_in_through_its_installed_entry_point() -> None:
    (entry,) = entry_points(group="curate.detectors", name="shouting")
    assert entry.dist is not None and entry.dist.name == "curate-example-plugin"
    assert entry.value == "curate_example_plugin.shouting:ShoutingDetector"
    detectors = available_detectors()
    assert detectors["shouting"] is entry.load() is ShoutingDetector
    # built-ins first, in BUILTIN_MODULES order; then the plugin
    assert list(detectors)[len(BUILTIN_MODULES):] == ["shouting"]


def test_the_plugin_embedder_comes_in_through_its_installed_entry_point() -> None:
    (entry,) = entry_points(group="curate.embedders", name="char-counts")
    assert entry.dist is not None and entry.dist.name == "curate-example-plugin"
    assert list(available_embedders()) == ["sentence", "hashed", "ngrams", "efficientnet-lite0", "pixels",
                                           "static", "char-counts"]
    embedder = get_embedder("char-counts", dim=16)
    assert isinstance(embedder, CharCountEmbedder)
    assert embedder.model_id == "char-counts:16"


def test_the_plugin_keeps_the_contracts() -> None:
    check_detector(ShoutingDetector)
    check_embedder(get_embedder("char-counts"))
    check_embedder(get_embedder("char-counts", dim=7))


def _planted_frame() -> pd.DataFrame:
    texts, labels = topic_texts()
    texts[5] = texts[5].upper()
    texts[20] = texts[20].upper()
    texts[11] = "the GPU in the new laptop runs the AI model"  # capitals, but not shouting
    texts[30] = "OK"  # all capitals, but too few letters to shout
    texts[31] = "고양이가 소파에서 잔다"  # no cased letters at all
    texts[32] = "IMDB 차트 부동의 1위 영화. 어른은 NO"  # capitals quoted in Korean: not shouting
    return pd.DataFrame({"id": [f"t{i}" for i in range(len(texts))], "text": texts, "label": labels})


def test_the_plugin_detector_flags_exactly_the_planted_rows_in_a_real_audit() -> None:
    result = curate.audit(_planted_frame(), label="label", text="text", id="id", detectors=["shouting"])
    assert list(result.summary["issue"]) == ["shouting"]
    findings = result.findings
    assert list(findings["row_id"]) == ["t5", "t20"]  # both score 0, so in row order
    assert findings["score"].tolist() == [0.0, 0.0]
    # every letter of the two sentences joined by "while", in capitals
    assert findings["details"].tolist() == [{"capitals": 93}, {"capitals": 85}]
    scores = result.scores.set_index("row_id")["score"]
    assert (scores["t30"], scores["t31"], scores["t32"]) == (0.0, 1.0, 1.0)
    assert result.descriptions["shouting"] == "the text is written entirely in upper case"
    assert "features" not in result.timings  # it needs only the dataset


def test_the_plugin_embedder_feeds_a_real_audit() -> None:
    texts, labels = topic_texts()
    texts[2] = " ".join(reversed(texts[1].split()))  # the same characters as t1, in another order
    frame = pd.DataFrame({"id": [f"t{i}" for i in range(len(texts))], "text": texts, "label": labels})
    result = curate.audit(frame, label="label", text="text", id="id", detectors=["near_duplicate"],
                          embedder=get_embedder("char-counts"))
    assert (result.metrics["embedder"], result.metrics["embedded_rows"]) == ("char-counts:64", 36)
    rows = result.findings.set_index("row_id")
    assert (rows.loc["t1", "score"], rows.loc["t2", "score"]) == (0.0, 0.0)
    assert rows.loc["t1", "details"]["matches"][0] == "t2"
    assert rows.loc["t2", "details"]["matches"][0] == "t1"
    assert rows.loc["t1", "details"]["similarity"][0] == 1.0


# Another plugin, written as pip would install it: a module and a .dist-info folder on sys.path.
PLUGIN_MODULE = '''
from typing import ClassVar

import numpy as np

from curate.detectors import Detector, DetectorResult, NeedProvider
from curate.features import HashedTextEmbedder


class LabelAgain(Detector):
    name: ClassVar[str] = "label"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset"})
    description: ClassVar[str] = "a second detector called label"

    def find(self, context: NeedProvider) -> DetectorResult:
        n = context.need("dataset").n_rows
        return self._result(np.ones(n), np.zeros(n, dtype=bool))


class Loud(LabelAgain):
    name: ClassVar[str] = "shouty"


def hashed_again() -> HashedTextEmbedder:
    return HashedTextEmbedder()
'''

InstallPlugin = Callable[[str, str], Path]


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InstallPlugin:
    """Put a distribution ``name`` with ``entry_points.txt`` (and the module ``other_plugin``) on sys.path."""

    def install(name: str, entry_points_txt: str) -> Path:
        (tmp_path / "other_plugin.py").write_text(PLUGIN_MODULE, encoding="utf-8")
        info = tmp_path / f"{name.replace('-', '_')}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(entry_points_txt, encoding="utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delitem(sys.modules, "other_plugin", raising=False)
        return tmp_path

    return install


CLASH = "[curate.detectors]\nlabel = other_plugin:LabelAgain\n"
CLASH_MESSAGE = (
    "plugin curate-clashing-plugin: entry point 'label = other_plugin:LabelAgain' in group 'curate.detectors' is "
    "refused: the detector name 'label' is already registered, by curate.detectors.label_issues.LabelIssueDetector; "
    "give other_plugin.LabelAgain another name")
REFUSED = [
    pytest.param("curate-clashing-plugin", CLASH, load_plugins, CLASH_MESSAGE, id="detector-named-like-a-builtin"),
    pytest.param("curate-clashing-plugin", "[curate.embedders]\nhashed = other_plugin:hashed_again\n",
                 load_embedder_plugins,
                 "plugin curate-clashing-plugin: entry point 'hashed = other_plugin:hashed_again' in group "
                 "'curate.embedders' is refused: the embedder name 'hashed' is already registered, by "
                 "curate.features.text.HashedTextEmbedder; give other_plugin.hashed_again another name",
                 id="embedder-named-like-a-builtin"),
    pytest.param("curate-loud-plugin", "[curate.detectors]\nloud = other_plugin:Loud\n", load_plugins,
                 "plugin curate-loud-plugin: entry point 'loud = other_plugin:Loud' in group 'curate.detectors' is "
                 "refused: the entry point is named 'loud' but Loud.name is 'shouty'; name the entry point like the "
                 "detector", id="entry-point-named-unlike-its-detector"),
    pytest.param("curate-missing-plugin", "[curate.detectors]\nghost = no_such_module:Ghost\n", load_plugins,
                 "plugin curate-missing-plugin: entry point 'ghost = no_such_module:Ghost' in group "
                 "'curate.detectors' cannot be loaded (ModuleNotFoundError: No module named 'no_such_module'); fix "
                 "or uninstall that plugin", id="plugin-that-cannot-be-imported"),
]


@pytest.mark.parametrize(("dist", "entry_points_txt", "load", "message"), REFUSED)
def test_a_bad_plugin_is_refused_by_name(install_plugin: InstallPlugin, dist: str, entry_points_txt: str,
                                        load: Callable[[], None], message: str) -> None:
    detectors, embedders = available_detectors(), available_embedders()
    install_plugin(dist, entry_points_txt)
    with pytest.raises(PluginError) as caught:
        load()
    assert str(caught.value) == message
    assert (available_detectors(), available_embedders()) == (detectors, embedders)


@pytest.mark.slow
def test_the_cli_reports_a_clashing_plugin_in_one_line(install_plugin: InstallPlugin, tmp_path: Path) -> None:
    folder = install_plugin("curate-clashing-plugin", CLASH)
    data = tmp_path / "data.csv"
    _planted_frame().to_csv(data, index=False)
    env = {**os.environ, "PYTHONPATH": str(folder)}
    done = subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", "audit", str(data),
                           "--label", "label", "--text", "text", "--workspace", str(tmp_path / "ws"), "--no-embed"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == f"error: {CLASH_MESSAGE}"
    assert not (tmp_path / "ws").exists()



class _CapitalsOnly(Detector):
    """Flags text rows without a lower-case letter; a dataset without text is not checked at all."""

    name: ClassVar[str] = "capitals_only"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset"})
    description: ClassVar[str] = "no lower-case letter"

    def find(self, context: NeedProvider) -> DetectorResult:
        dataset = context.need("dataset")
        n = dataset.n_rows
        if not dataset.text_columns:
            return self._result(np.ones(n), np.zeros(n, dtype=bool), checked=False)
        flagged = np.array([not any(c.islower() for c in t) for t in dataset.frame[dataset.text_columns[0]]])
        return self._result(np.where(flagged, 0.0, 1.0), flagged)


def test_a_check_the_dataset_does_not_get_is_not_listed() -> None:
    register(_CapitalsOnly)
    try:
        numbers = pd.DataFrame({"x": [float(i % 7) for i in range(40)], "y": [float(i % 3) for i in range(40)],
                                "label": ["a", "b"] * 20})
        on_table = curate.audit(numbers, label="label", detectors=["capitals_only", "class_imbalance"],
                                embedder="hashed", progress=False)
        assert list(on_table.summary["issue"]) == ["class_imbalance"]
        assert on_table.params["detectors"] == ["class_imbalance"]
        assert "capitals_only" not in on_table.notes
        on_text = curate.audit(_planted_frame(), label="label", text="text", id="id",
                               detectors=["capitals_only"], progress=False)
        assert list(on_text.summary["issue"]) == ["capitals_only"]
        assert on_text.findings["row_id"].tolist() == ["t5", "t20", "t30", "t31", "t32"]  # Korean has no lower case
    finally:
        unregister("capitals_only")
