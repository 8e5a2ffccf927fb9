"""Run warnings: what an audit says when its evidence is too weak, or its input not what it expects.

A finding is a claim about a row. A warning is a claim about the run: the model cannot explain the
labels, classes are too small to judge, a column leaks the label, a language is read badly. Each
names what it withheld (so a user never mistakes "no flags" for "no problems") and what to try.
Warnings travel with the run: in the API result, the CLI summary, the report and the review app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AuditWarning"]


@dataclass(frozen=True)
class AuditWarning:
    """One run-level warning.

    Attributes
    ----------
    code : str
        A stable identifier, e.g. ``model_near_chance``, ``thin_classes``, ``leaked_label_column``,
        ``mixed_languages``, ``language_unread``, ``image_column``, ``no_readable_input``, ``continuous_label``,
        ``pred_probs_column_order``, ``texts_truncated``, ``few_rows_noise``, ``verified_too_few``,
        ``verified_not_random``, ``verified_left_out``.
    message : str
        One line saying what was found, with the numbers.
    advice : str
        What to try (empty when there is nothing to do).
    withheld : tuple of str
        The issues (detector names) whose flags were withheld because of it; empty when flags stand.
    facts : dict
        JSON-serialisable figures behind the message (accuracies, p-values, column names).
    """

    code: str
    message: str
    advice: str = ""
    withheld: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The warning as a JSON-serialisable dict (as runs store it).

        Returns
        -------
        dict
            Keys ``code``, ``message``, ``advice``, ``withheld`` (a list) and ``facts``.
        """
        return {"code": self.code, "message": self.message, "advice": self.advice,
                "withheld": list(self.withheld), "facts": dict(self.facts)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditWarning:
        """Rebuild a warning stored by :meth:`to_dict`.

        Parameters
        ----------
        data : dict
            As :meth:`to_dict` wrote it.

        Returns
        -------
        AuditWarning
        """
        return cls(str(data["code"]), str(data["message"]), str(data.get("advice", "")),
                   tuple(data.get("withheld", ())), dict(data.get("facts", {})))

    def line(self) -> str:
        """The warning as one line for a terminal or a log.

        Returns
        -------
        str
            ``message``, then ``advice`` after a dash when there is any.
        """
        return f"{self.message} - {self.advice}" if self.advice else self.message
