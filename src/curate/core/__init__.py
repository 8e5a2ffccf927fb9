"""The shared vocabulary: the Dataset, predicted probabilities, source records, progress, keys, files."""
