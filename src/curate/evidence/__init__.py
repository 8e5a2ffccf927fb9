"""Evidence about labels: out-of-fold class probabilities, neighbour votes and their combination."""
