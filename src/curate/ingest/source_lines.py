"""Each row's line in its source file, kept in a DataFrame's ``attrs`` without costing a copy per row.

pandas deep-copies ``attrs`` into every frame or Series derived from a frame (a column, a row, a
slice): a plain list of a million line numbers would be copied each time someone reads one cell.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SourceLines"]


class SourceLines(tuple[int, ...]):
    """An immutable sequence of line numbers (1-based) that copies as itself.

    Examples
    --------
    >>> import copy
    >>> lines = SourceLines([2, 3, 5])
    >>> copy.deepcopy(lines) is lines, lines[2]
    (True, 5)
    """

    __slots__ = ()

    def __copy__(self) -> SourceLines:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SourceLines:
        return self
