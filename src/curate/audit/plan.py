"""Plan a run: which detectors with which parameters, which embedder, how many neighbours per row."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from curate.core.config import AuditConfig
from curate.detectors import Detector, available_detectors, get_detector
from curate.errors import ConfigError
from curate.evidence.predictions import named_classifier
from curate.features import TextEmbedder, available_embedders, check_embedder_name, embedder_from_name

__all__ = ["check_components", "detector_parameters", "graph_neighbours", "make_detectors", "resolve_embedder",
           "resolved_config"]

# Neighbours per row of the graph even when no consumer asks for more (the review app shows them).
MIN_GRAPH_NEIGHBOURS = 10


def detector_parameters(cls: type[Detector]) -> dict[str, Any]:
    """A detector's constructor parameters with their defaults: the one place those defaults live.

    Parameters
    ----------
    cls : type
        A Detector subclass.

    Returns
    -------
    dict
        Parameter name to default value (parameters without a default are left out).
    """
    signature = inspect.signature(cls.__init__)
    return {name: p.default for name, p in signature.parameters.items()
            if name != "self" and p.default is not inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def make_detectors(config: AuditConfig, names: Sequence[str] | None = None) -> list[Detector]:
    """Construct the chosen detectors (all registered ones by default) with the configuration's parameters.

    Parameters
    ----------
    config : AuditConfig
        Its ``detectors`` table overrides constructor defaults.
    names : sequence of str, optional
        Detector names, in the order to run them.

    Returns
    -------
    list of Detector
        One constructed detector per name, in order.

    Raises
    ------
    InputError
        For an unknown detector name.
    ConfigError
        When the configuration sets a parameter a detector does not have, or names a detector
        that is not registered.
    """
    registered = available_detectors()
    unknown = sorted(set(config.detectors) - set(registered))
    if unknown:
        raise ConfigError(f"the configuration sets parameters of unknown detector(s) {unknown}; "
                          f"registered: {', '.join(registered)}")
    chosen = list(names) if names else list(registered)
    detectors = []
    for name in chosen:
        cls = get_detector(name)
        known = detector_parameters(cls)
        given = dict(config.detectors.get(name, {}))
        extra = sorted(set(given) - set(known))
        if extra:
            raise ConfigError(f"detector {name!r} has no parameter(s) {extra}; it has: "
                              f"{', '.join(known) or 'none'}")
        for parameter, value in given.items():
            _check_parameter(name, parameter, value, known[parameter], cls.parameter_bounds.get(parameter))
        detectors.append(cls(**given))
    return detectors


def _check_parameter(detector: str, parameter: str, value: Any, default: Any,
                     bounds: tuple[float | None, float | None] | None) -> None:
    """Refuse a value of another type than the default's, or outside the detector's declared bounds."""
    expected = type(default)
    numeric = expected in (int, float) and isinstance(value, int | float) and not isinstance(value, bool)
    if default is not None and not isinstance(value, expected) and not (expected is float and numeric):
        raise ConfigError(f"{detector}.{parameter} must be {expected.__name__}, not {type(value).__name__} "
                          f"({value!r})")
    if bounds is not None and numeric:
        low, high = bounds
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"from {low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
            raise ConfigError(f"{detector}.{parameter} must be {span}, not {value!r}")


def check_components(config: AuditConfig) -> None:
    """Refuse an unknown classifier or embedder name before any work.

    The classifier is resolved the way the run will (:func:`curate.evidence.predictions.named_classifier`);
    the embedder name is looked up among the registered ones, or its model folder checked, without
    loading a model (:func:`curate.features.check_embedder_name`).

    Parameters
    ----------
    config : AuditConfig
        The run's settings.

    Raises
    ------
    ConfigError
        For a classifier other than ``auto`` and the named ones.
        Also for an embedder name nobody registered, or a model folder that does not exist; the
        message names it and lists the registered embedders.
    """
    if config.classifier != "auto":
        named_classifier(config.classifier, config.seed)
    check_embedder_name(config.embedder)


def resolved_config(config: AuditConfig, detectors: Sequence[Detector], embedder_used: object = None) -> dict[str, Any]:
    """The configuration with every default filled in, as the run records it.

    Parameters
    ----------
    config : AuditConfig
        The run's settings.
    detectors : sequence of Detector
        The constructed detectors; their stored parameters are read back.
    embedder_used : object, optional
        The embedder that made the features, when one did. When the configuration named another
        registered embedder that the modality read as this one (the hashed text features, on
        pictures, are their pixels), the registered name of the one used is recorded.

    Returns
    -------
    dict
        :meth:`AuditConfig.to_dict` with ``detectors`` holding every parameter of every detector run.
    """
    out = config.to_dict()
    out["detectors"] = {d.name: {p: getattr(d, p) for p in detector_parameters(type(d))} for d in detectors}
    registered = available_embedders()
    if embedder_used is not None and config.embedder in registered:
        used = next((name for name, factory in registered.items() if factory is type(embedder_used)), None)
        if used is not None:
            out["embedder"] = used
    return out


def graph_neighbours(detectors: Sequence[Detector], vote_neighbours: int | None) -> int:
    """Neighbours per row of the run's one graph: the most that any consumer reads.

    Parameters
    ----------
    detectors : sequence of Detector
        Those that need ``neighbors`` read their first ``k`` neighbours.
    vote_neighbours : int or None
        How many the label vote reads, when label evidence will be gathered.

    Returns
    -------
    int
        The largest of ``MIN_GRAPH_NEIGHBOURS``, ``vote_neighbours`` and each such detector's ``k``.
    """
    wanted = [MIN_GRAPH_NEIGHBOURS, vote_neighbours or 0]
    wanted += [d.neighbours_read() for d in detectors if "neighbors" in d.needs]
    return max(wanted)


def resolve_embedder(config: AuditConfig, given: TextEmbedder | None = None) -> TextEmbedder | None:
    """The text embedder of a run: the one given, or the one the configuration names.

    Parameters
    ----------
    config : AuditConfig
        ``config.embedder`` is ``auto``, a registered embedder's name (``sentence``, ``hashed``,
        ``ngrams`` or a plugin's), ``st:MODEL`` or a sentence-transformers model folder.
    given : TextEmbedder, optional
        An embedder object passed to the API; it wins over the configuration.

    Returns
    -------
    TextEmbedder or None
        None for ``auto``: the modality chooses (for text, the sentence model when installed).

    Raises
    ------
    ConfigError
        For an embedder name nobody registered, or a missing model folder; the message lists the
        registered ones.
    """
    if given is not None:
        return given
    return embedder_from_name(config.embedder)
