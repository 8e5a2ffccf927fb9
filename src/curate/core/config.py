"""The run configuration: every setting of an audit in one frozen object, stored with the run.

Defaults are written once. The run-wide settings (folds, seed, embedder, classifier) and the
label-evidence settings are the defaults of the fields below; each detector's parameters are the
defaults of its constructor, so a plugin detector's parameters are configured the same way. A run
records the resolved configuration (every default filled in), so ``curate runs --verbose`` shows
exactly what produced its findings.

A configuration file is TOML::

    folds = 5
    seed = 0
    embedder = "auto"            # auto (by language) | sentence | ngrams | hashed | a plugin's
                                 # | st:MODEL | a sentence-transformers model folder
    classifier = "auto"          # auto (the modality's) | logistic_regression | hist_gradient_boosting
    engine = "local"             # local | ray: where the cross-validation folds and the embedding run
    ray_address = "HOST:PORT"    # the Ray cluster (ray engine only); left out: a local cluster

    [evidence]
    max_vote_neighbours = 50

    [detectors.label]
    min_error_probability = 0.5

    [detectors.near_duplicate]
    similarity = 0.98

and ``--set KEY=VALUE`` overrides one setting: ``folds=10``, ``evidence.ambiguity_ratio=0.7``, or
``DETECTOR.PARAM=VALUE`` such as ``label.min_error_probability=0.7``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from curate.errors import ConfigError

__all__ = ["AuditConfig", "EvidenceConfig"]

# The engines a run can name (curate.engines.ENGINE_NAMES; core cannot import the engines).
_ENGINES = ("local", "ray")


@dataclass(frozen=True)
class EvidenceConfig:
    """How label evidence is gathered (see :mod:`curate.evidence.label_evidence`).

    Attributes
    ----------
    max_vote_neighbours : int, default 50
        At most this many nearest neighbours vote on each row's class.
    min_vote_neighbours : int, default 5
        At least this many vote, even when the smallest class is tiny.
    vote_power : float, default 3.0
        A neighbour's vote weighs its similarity to this power (3: a neighbour at 0.9 outweighs
        one at 0.6 by 3.4x).
    min_trusted_per_class : int, default 50
        The classifier is refitted without suspect rows only when every class keeps this many
        trusted rows.
    ambiguity_ratio : float, default 0.8
        Two classes compete when the runner-up is at least this share as probable as the top class ...
    ambiguity_mass : float, default 0.8
        ... and the two together hold at least this much of the probability.
    min_skill : float, default 0.2
        Label and ambiguity flags are withheld unless the evidence gets at least this share of
        the majority-class guess's mistakes right (see :mod:`curate.evidence.trust`) ...
    max_p_value : float, default 0.01
        ... and beats that guess in a one-sided binomial test at this level.
    min_class_rows : int, default 5
        Classes with fewer rows are too small to learn: their rows are not flagged.
    min_precision : float, default 0.5
        Label flags whose estimated precision is lower are withheld as a whole.
    """

    max_vote_neighbours: int = 50
    min_vote_neighbours: int = 5
    vote_power: float = 3.0
    min_trusted_per_class: int = 50
    ambiguity_ratio: float = 0.8
    ambiguity_mass: float = 0.8
    min_skill: float = 0.2
    max_p_value: float = 0.01
    min_class_rows: int = 5
    min_precision: float = 0.5


@dataclass(frozen=True)
class AuditConfig:
    """Every setting of an audit run. Frozen: derive a changed copy with :meth:`with_overrides`.

    Attributes
    ----------
    folds : int, default 5
        Folds of the out-of-fold cross-validation (lowered to the smallest class's size).
    seed : int, default 0
        Seed of the fold split and of seeded classifiers.
    embedder : str, default "auto"
        Text embedder: ``auto`` (by the texts' languages: the sentence model for English, character
        n-grams and Korean morphemes otherwise; see :mod:`curate.modalities.text_features`),
        ``sentence``, ``ngrams``, ``hashed``, a registered plugin embedder's name, ``st:MODEL`` (a
        sentence-transformers model by name or folder) or a model folder.
    classifier : str, default "auto"
        Cross-validated classifier: ``auto`` (the modality's default), ``logistic_regression``
        or ``hist_gradient_boosting``.
    engine : str, default "local"
        Where the cross-validation folds and the text embedding run: ``local`` (this process) or
        ``ray`` (as Ray tasks; needs the ``ray`` extra). The findings are the same.
    ray_address : str or None, default None
        The Ray cluster for ``engine = "ray"``: ``HOST:PORT``, ``ray://HOST:PORT`` or ``auto``;
        None starts a local cluster for the run.
    evidence : EvidenceConfig
        Label-evidence settings.
    detectors : mapping of str to mapping of str to value
        Per detector name, parameters that override its constructor's defaults.

    Examples
    --------
    >>> config = AuditConfig().with_overrides(["label.min_error_probability=0.7", "folds=3"])
    >>> config.folds, dict(config.detectors["label"])
    (3, {'min_error_probability': 0.7})
    """

    folds: int = 5
    seed: int = 0
    embedder: str = "auto"
    classifier: str = "auto"
    engine: str = "local"
    ray_address: str | None = None
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    detectors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Frozen all the way down: nobody can change a run's settings after it started.
        frozen = MappingProxyType({str(k): MappingProxyType(dict(v)) for k, v in dict(self.detectors).items()})
        object.__setattr__(self, "detectors", frozen)
        for name, expected in (("folds", int), ("seed", int), ("embedder", str), ("classifier", str),
                               ("engine", str)):
            _check_type(name, getattr(self, name), expected)
        if self.folds < 2:
            raise ConfigError(f"folds must be at least 2, not {self.folds}")
        if self.engine not in _ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(_ENGINES)}, not {self.engine!r}")
        if self.ray_address is not None:
            _check_type("ray_address", self.ray_address, str)
            if self.engine != "ray":
                raise ConfigError("ray_address (--address) is for the ray engine; add --engine ray or leave it out")
            if not self.ray_address.strip():
                raise ConfigError("ray_address must be HOST:PORT, ray://HOST:PORT or auto, not an empty string")
        for item in fields(EvidenceConfig):
            _check_type(f"evidence.{item.name}", getattr(self.evidence, item.name), type(item.default))
        evidence = self.evidence
        for name, value, low, high in (("max_vote_neighbours", evidence.max_vote_neighbours, 1, None),
                                       ("min_vote_neighbours", evidence.min_vote_neighbours, 1, None),
                                       ("vote_power", evidence.vote_power, 0.0, None),
                                       ("min_trusted_per_class", evidence.min_trusted_per_class, 0, None),
                                       ("ambiguity_ratio", evidence.ambiguity_ratio, 0.0, 1.0),
                                       ("ambiguity_mass", evidence.ambiguity_mass, 0.0, 1.0),
                                       ("min_skill", evidence.min_skill, 0.0, 1.0),
                                       ("max_p_value", evidence.max_p_value, 0.0, 1.0),
                                       ("min_class_rows", evidence.min_class_rows, 2, None),
                                       ("min_precision", evidence.min_precision, 0.0, 1.0)):
            if value < low or (high is not None and value > high):
                span = f"from {low} to {high}" if high is not None else f"at least {low}"
                raise ConfigError(f"evidence.{name} must be {span}, not {value!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], source: str = "the configuration") -> AuditConfig:
        """Build a configuration from nested plain values (as read from TOML).

        Parameters
        ----------
        values : mapping
            Top-level settings, an optional ``evidence`` table and an optional ``detectors``
            table of tables.
        source : str, default "the configuration"
            How to name the values in error messages (e.g. the file's path).

        Returns
        -------
        AuditConfig
            The configuration; settings not given keep their defaults.

        Raises
        ------
        ConfigError
            On an unknown setting or a value of the wrong type; the message names the setting.
        """
        top = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - top)
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s) {unknown}; known: {sorted(top)}")
        evidence = values.get("evidence", {})
        detectors = values.get("detectors", {})
        if not isinstance(evidence, Mapping):
            raise ConfigError(f"{source}: 'evidence' must be a table of settings")
        if not isinstance(detectors, Mapping) or not all(isinstance(v, Mapping) for v in detectors.values()):
            raise ConfigError(f"{source}: 'detectors' must be a table of tables, one per detector")
        known_evidence = {f.name for f in fields(EvidenceConfig)}
        unknown = sorted(set(evidence) - known_evidence)
        if unknown:
            raise ConfigError(f"{source}: unknown evidence setting(s) {unknown}; known: {sorted(known_evidence)}")
        plain = {k: v for k, v in values.items() if k not in ("evidence", "detectors")}
        return cls(**plain, evidence=EvidenceConfig(**evidence), detectors=detectors)

    @classmethod
    def from_toml(cls, path: Path | str) -> AuditConfig:
        """Read a configuration file (TOML; see the module docstring for its layout).

        Parameters
        ----------
        path : path-like
            The ``.toml`` file.

        Returns
        -------
        AuditConfig
            The configuration; settings the file leaves out keep their defaults.

        Raises
        ------
        ConfigError
            When the file is missing, is not valid TOML, or holds an unknown setting.
        """
        path = Path(path)
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path} does not exist") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not a valid TOML file ({exc})") from None
        return cls.from_mapping(values, str(path))

    def with_overrides(self, assignments: Iterable[str]) -> AuditConfig:
        """A copy with ``KEY=VALUE`` assignments applied, in order.

        Values are read as TOML values (``0.5``, ``true``, ``"text"``); anything that is not one
        is taken as a plain string. Keys are ``SETTING``, ``evidence.SETTING`` or
        ``DETECTOR.PARAMETER`` (also as ``detectors.DETECTOR.PARAMETER``, the TOML table's name).

        Parameters
        ----------
        assignments : iterable of str
            Such as ``["label.min_error_probability=0.7", "folds=3"]``.

        Returns
        -------
        AuditConfig
            A new configuration; ``self`` is unchanged.

        Raises
        ------
        ConfigError
            When an assignment has no ``=``, or names an unknown setting.
        """
        values = self.to_dict()
        for assignment in assignments:
            key, sep, raw = assignment.partition("=")
            key = key.strip()
            if not sep or not key:
                raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE, e.g. label.min_error_probability=0.7")
            value = _parse_value(raw.strip())
            if key.startswith("detectors.") and key.count(".") == 2:
                key = key.removeprefix("detectors.")  # the TOML table's own name, as `curate runs -v` shows it
            head, dot, rest = key.partition(".")
            if not dot:
                values[key] = value
            elif head == "evidence":
                values["evidence"][rest] = value
            elif "." in rest:
                raise ConfigError(f"--set {assignment!r}: keys have at most one dot (DETECTOR.PARAMETER)")
            else:
                values["detectors"].setdefault(head, {})[rest] = value
        return AuditConfig.from_mapping(values, "--set")

    def to_dict(self) -> dict[str, Any]:
        """The configuration as plain nested values (what a run stores and TOML can hold).

        Returns
        -------
        dict
            Every setting, with ``evidence`` and ``detectors`` as nested dicts; ``ray_address``
            only when it is set.
        """
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)
                               if f.name not in ("evidence", "detectors")}
        if out["ray_address"] is None:  # TOML has no null: a setting left out is its default
            del out["ray_address"]
        out["evidence"] = dataclasses.asdict(self.evidence)
        out["detectors"] = {name: dict(params) for name, params in self.detectors.items()}
        return out


def _check_type(name: str, value: Any, expected: type) -> None:
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise ConfigError(f"{name} must be {expected.__name__}, not {type(value).__name__} ({value!r})")


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return raw
