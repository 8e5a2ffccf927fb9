"""Turn a file's bytes into text: detect the encoding, or decode with the one the user forced.

Why our own detector rather than a general-purpose guesser: the encodings our users meet are few
(UTF-8 with or without BOM, the Korean CP949/EUC-KR, Latin-1), and a general guesser often calls a
short Korean file something exotic. We try them in an order where a wrong guess is unlikely.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from curate.errors import DecodingError

__all__ = ["DecodedText", "decode_bytes"]

_ALIASES = {"euc-kr": "cp949", "euckr": "cp949", "ks_c_5601-1987": "cp949", "utf8": "utf-8"}


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from a file, with the encoding that was used and whether it was detected."""

    text: str
    encoding: str
    detected: bool


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _normalise_name(encoding: str) -> str:
    name = encoding.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise DecodingError(
            f"--encoding {encoding!r} is not an encoding Python knows; "
            "try utf-8, cp949 (Korean) or latin-1"
        ) from None


def _looks_korean(text: str) -> bool:
    """Genuine CP949 text is mostly Hangul from the KS X 1001 core (both bytes >= 0xA1).

    Latin-1 text also decodes as CP949 when an accented byte precedes an ASCII letter ("°C" becomes
    "캜"), but such pairs land in CP949's extension area, whose trail byte is ASCII: real Korean
    text rarely uses it, so a high share of those pairs means the text is not Korean.
    """
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return False
    hangul = sum(1 for ch in non_ascii if "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e")
    core = sum(1 for ch in non_ascii if len(b := ch.encode("cp949")) == 2 and b[1] >= 0xA1)
    return hangul / len(non_ascii) >= 0.6 and core / len(non_ascii) >= 0.9


def decode_bytes(data: bytes, *, encoding: str | None = None, source: str = "the file") -> DecodedText:
    """Decode ``data``; detect UTF-8 (BOM or not), CP949/EUC-KR or Latin-1 unless ``encoding`` is given.

    Detection tries, in order: a UTF-8 byte-order mark, UTF-8, CP949 when the text then looks
    Korean, and Latin-1; a file that is valid UTF-8 up to a broken spot is an error, not Latin-1.

    Parameters
    ----------
    data : bytes
        The raw bytes of a text file.
    encoding : str, optional
        Force this encoding instead of detecting one (``euc-kr`` is read as its superset CP949).
    source : str, default "the file"
        How to name the file in an error message.

    Returns
    -------
    DecodedText
        The text (BOM removed), the encoding used, and whether it was detected.

    Raises
    ------
    DecodingError
        When ``encoding`` is unknown, the bytes are not valid in it, or the bytes look like
        corrupt UTF-8.

    Examples
    --------
    >>> decode_bytes("이름".encode("cp949")).encoding
    'cp949'
    """
    if encoding is not None:
        name = _normalise_name(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            return DecodedText(data.decode(name), name, detected=False)
        except UnicodeDecodeError as exc:
            raise DecodingError(
                f"{source}: line {_line_of(data, exc.start)} is not valid {encoding} "
                f"(byte 0x{data[exc.start]:02x}); check the file or pass another --encoding"
            ) from None

    if data.startswith(codecs.BOM_UTF8):
        try:
            return DecodedText(data.decode("utf-8-sig"), "utf-8-sig", detected=True)
        except UnicodeDecodeError as exc:
            raise DecodingError(
                f"{source}: starts with a UTF-8 byte-order mark but line "
                f"{_line_of(data, exc.start)} is not valid UTF-8; fix that line or pass --encoding"
            ) from None
    try:
        return DecodedText(data.decode("utf-8"), "utf-8", detected=True)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp949")
        if _looks_korean(text):
            return DecodedText(text, "cp949", detected=True)
    except UnicodeDecodeError:
        pass
    # A file that is mostly valid multi-byte UTF-8 with a broken spot is corrupt UTF-8, not Latin-1:
    # decoding it as Latin-1 would silently turn every accented or Korean character into mojibake.
    head = data[: utf8_error.start]
    if any(b >= 0xC2 for b in head):
        raise DecodingError(
            f"{source}: line {_line_of(data, utf8_error.start)} is not valid UTF-8 "
            f"(byte 0x{data[utf8_error.start]:02x}) although the lines before it are; "
            "fix that line or pass --encoding"
        )
    return DecodedText(data.decode("latin-1"), "latin-1", detected=True)
