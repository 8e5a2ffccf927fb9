"""One k-nearest-neighbour graph per run, shared by every consumer that needs neighbours."""

from curate.neighbors.graph import NeighborGraph, build_neighbor_graph

__all__ = ["NeighborGraph", "build_neighbor_graph"]
