"""errors.py draws the whole exception tree, and the drawing matches the classes."""

from __future__ import annotations

import inspect
import re

import curate.errors as errors


def test_the_drawn_tree_is_the_real_hierarchy() -> None:
    drawn: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        found = re.match(r"^(\s*)(?:[│ ]*[├└]── )?(\w+Error)\b", line)
        if not found:
            continue
        depth = line.index(found.group(2))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        drawn[found.group(2)] = stack[-1][1] if stack else "Exception"
        stack.append((depth, found.group(2)))
    classes = {name: cls for name, cls in vars(errors).items()
               if inspect.isclass(cls) and issubclass(cls, Exception) and cls.__module__ == errors.__name__}
    assert set(drawn) == set(classes) == set(errors.__all__)
    for name, cls in classes.items():
        assert cls.__mro__[1].__name__ == drawn[name], name
