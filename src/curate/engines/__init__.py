"""Where the heavy loops of an audit run: in this process, or as tasks on a Ray cluster.

An :class:`Engine` maps a top-level function over task inputs and gives the results back in
task order, so the code around it is the same whichever engine runs it and the findings do not
depend on the choice. The audit sets the run's engine for the duration of its work
(:func:`using_engine`); the loops that can be spread (the cross-validation folds, the text
embedding) ask for it with :func:`current_engine`.
"""

from __future__ import annotations

from curate.engines.base import ENGINE_NAMES, Engine, LocalEngine, current_engine, make_engine, using_engine
from curate.engines.ray_engine import RayEngine

__all__ = ["ENGINE_NAMES", "Engine", "LocalEngine", "RayEngine", "current_engine", "make_engine", "using_engine"]
