"""Turn a file's bytes into text: detect the encoding, or decode with the one the user forced.

Why our own detector rather than a general-purpose guesser: the encodings our users meet are few
(UTF-8 with or without BOM, UTF-16 and UTF-32 as Excel's "Unicode text" writes them, the Korean
CP949 (a superset of EUC-KR), Windows-1252 and Latin-1), and a general guesser often calls a short
Korean file something exotic. charset-normalizer, judging between CP949 and CP1252 alone, reads
"20°C" as Korean (both readings score as clean) and, since it samples a large file in chunks, misses
the one Korean row among thousands of English ones. We try the few candidates in an order where a
wrong guess is unlikely, and judge the one real contest (bytes valid in both CP949 and CP1252) on
the whole text.

Half a surrogate pair (a JSON ``\\ud83d`` escape, or its bytes in a file) is not a character: it
is read as U+FFFD, which the text input checks flag, because it could not even be hashed as UTF-8.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from curate.errors import DecodingError

__all__ = ["DecodedText", "byte_order_mark", "decode_bytes", "replace_surrogates", "replace_surrogates_in_frame"]

_ALIASES = {"euc-kr": "cp949", "euckr": "cp949", "ks_c_5601-1987": "cp949", "utf8": "utf-8"}
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Without a byte-order mark, UTF-16 text holds a NUL byte in every ASCII character (letters, digits,
# commas, line breaks), always on the same side of the pair; UTF-8 and the 8-bit code pages hold none.
# Text in Hangul or another non-Latin script has few ASCII characters, so the NULs are few; a few
# syllables ("가" is U+AC00) put a NUL on the other side too. One side needs this many NULs and this
# many times the other side's, and the decoded text must read as text.
_UTF16_MIN_NULS = 4
_UTF16_NUL_RATIO = 3.0
# ... with at most this share of its characters control characters, unassigned code points or
# replacement characters (random binary decoded as UTF-16 is mostly those).
_UTF16_JUNK_SHARE = 0.02
# Judging a CP949 reading (see ``_reads_as_korean``): the least share of Hangul among its non-ASCII
# characters, the share of core syllables that settles it, and, below that, the least share of the
# Western reading's non-ASCII characters that stand next to another one (letter soup).
_HANGUL_SHARE = 0.6
_CORE_SHARE = 0.9
_SOUP_SHARE = 0.5
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from a file, with the encoding that was used and whether it was detected."""

    text: str
    encoding: str
    detected: bool


# One UTF-8 encoded character beyond ASCII (a well-formed lead byte and its continuation bytes).
_UTF8_CHARACTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# So many of them after a byte UTF-8 cannot read make a file of two encodings: Western text makes such
# byte pairs only by accident (an accented letter before a symbol, once in a long file).
_MIXED_MIN_UTF8 = 3


def _line_of(data: bytes, offset: int, encoding: str = "utf-8") -> int:
    if encoding.startswith(("utf-16", "utf-32")):
        return data[:offset].decode(encoding, "replace").count("\n") + 1
    return data.count(b"\n", 0, offset) + 1


# What the codecs say when the bytes stop inside a character (UTF-8; CP949 and the like; UTF-16/32).
_INCOMPLETE = frozenset({"unexpected end of data", "incomplete multibyte sequence", "truncated data"})


def _cut_off(exc: UnicodeDecodeError, source: str, label: str, encoding: str) -> DecodingError | None:
    """The error for bytes that end partway through a character, or None when the bad bytes are elsewhere.

    A download or a ``head -c`` that stops inside a character leaves every line valid but the last:
    saying the file was cut off points at the cause, where "line N is not valid" points at the text.
    """
    data = exc.object
    if exc.reason not in _INCOMPLETE or exc.end != len(data):
        return None
    line = _line_of(data, exc.start, encoding)
    # A file of one line (a JSON array on one line) has no unfinished line to delete: it is all of it.
    fix = "get the whole file again" + (", or delete that unfinished last line" if line > 1 else "")
    return DecodingError(
        f"{source}: ends partway through a character on line {line} (its last "
        f"{len(data) - exc.start} byte(s) begin a {label} character): the file looks truncated, cut off while it "
        f"was copied or downloaded; {fix}"
    )


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (half of a UTF-16 pair) replaced by U+FFFD.

    A pair written as two surrogates is joined into its character; a lone half cannot be stored
    or hashed as UTF-8, so it becomes the replacement character that input checks flag.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        ``text`` itself when it holds no surrogate, else the repaired text.

    Examples
    --------
    >>> replace_surrogates("half \\ud83d an emoji") == "half \\ufffd an emoji"
    True
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def replace_surrogates_in_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with lone surrogates in its text cells and column names replaced by U+FFFD.

    JSON escapes (``\\ud83d``) and DataFrames built in Python can hold half a surrogate pair,
    which cannot be written as UTF-8: not to a workspace, a cache key or an export.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; not modified.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when no text cell or column name holds a surrogate, else a repaired copy
        (same index, dtypes and ``attrs``).
    """
    names = [replace_surrogates(c) if isinstance(c, str) else c for c in frame.columns]
    dirty = [c for c in frame.columns if frame[c].dtype == object and _SURROGATE.search(
        "".join(v for v in frame[c] if isinstance(v, str))) is not None]
    if not dirty and names == list(frame.columns):
        return frame
    out = frame.copy()
    for column in dirty:
        out[column] = frame[column].map(lambda v: replace_surrogates(v) if isinstance(v, str) else v)
    out.columns = pd.Index(names)
    return out


def _decode(data: bytes, name: str) -> str:
    """Decode strictly, except that encoded surrogate halves become U+FFFD (see the module note)."""
    if name.replace("_", "-").startswith(("utf-8", "utf-16", "utf-32")):
        return replace_surrogates(data.decode(name, "surrogatepass"))
    return data.decode(name)


def byte_order_mark(data: bytes) -> tuple[bytes, str] | None:
    """The byte-order mark ``data`` starts with and the codec it names (UTF-8, UTF-16 or UTF-32).

    Parameters
    ----------
    data : bytes
        A file's bytes.

    Returns
    -------
    tuple of (bytes, str) or None
        The mark and the codec without a mark (``utf-16-le``, ...), or None when there is none.

    Examples
    --------
    >>> byte_order_mark(codecs.BOM_UTF16_LE + "a".encode("utf-16-le"))
    (b'\\xff\\xfe', 'utf-16-le')
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return bom, name
    return None


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    found = byte_order_mark(data)
    return None if found is None else (found[1], len(found[0]))


def _bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for UTF-16 text without a mark: NUL bytes on one side of the pairs, read as text."""
    if len(data) < 4 or len(data) % 2:
        return None
    head = data[:4096]
    # An ASCII character is (char, 0) in little-endian order: its NUL at an odd offset.
    odd, even = head[1::2].count(0), head[0::2].count(0)
    for codec, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        one_sided = nuls >= _UTF16_MIN_NULS and nuls >= _UTF16_NUL_RATIO * other
        if one_sided and _reads_as_text(head.decode(codec, "replace")):
            return codec
    return None


def _reads_as_text(text: str) -> bool:
    """Whether decoded characters are text: few controls (tab and line breaks aside), unassigned or replaced."""
    text = text[:-1]  # the cut at 4 KiB may split the last character
    junk = sum(1 for ch in text if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd"
               or unicodedata.category(ch) in ("Cn", "Co", "Cs"))
    return bool(text) and junk <= _UTF16_JUNK_SHARE * len(text)


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


def _reads_as_korean(korean: str, western: str) -> bool:
    """Whether the CP949 reading of bytes that also decode as ``western`` (CP1252/Latin-1) is right.

    Korean text is mostly Hangul, nearly all from the KS X 1001 core (both bytes >= 0xA1). Latin-1
    text also decodes as CP949 when an accented byte precedes an ASCII letter ("°C" becomes "캜"),
    but such pairs land in CP949's extension area, whose trail byte is ASCII. Real Korean text uses
    that area for rare syllables only ("똠", "햏"), so a text with many of them is Korean only when
    its Western reading is letter soup: Korean read as CP1252 turns each core syllable into two
    accented letters or symbols side by side ("ÁÁ¾Æ¿ä"), where Western words hold them one by one
    ("café", "20°C").
    """
    non_ascii = [ch for ch in korean if ord(ch) > 127]
    if not non_ascii:
        return False
    hangul = sum(1 for ch in non_ascii if "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e")
    if hangul / len(non_ascii) < _HANGUL_SHARE:
        return False
    core = sum(1 for ch in non_ascii if len(b := ch.encode("cp949")) == 2 and b[1] >= 0xA1)
    if core / len(non_ascii) >= _CORE_SHARE:
        return True
    runs = _NON_ASCII_RUN.findall(western)
    paired = sum(len(run) for run in runs if len(run) > 1)
    return paired / sum(len(run) for run in runs) >= _SOUP_SHARE


def _western(data: bytes) -> tuple[str, str]:
    """The bytes as Windows-1252 (smart quotes, dashes, euro), or Latin-1 where that cannot hold them.

    CP1252 is Latin-1 with printable characters in place of the C1 controls 0x80-0x9F; only five
    bytes are undefined in it, and a file holding one is read as Latin-1.
    """
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def decode_bytes(data: bytes, *, encoding: str | None = None, source: str = "the file") -> DecodedText:
    """Decode ``data``, detecting the encoding unless ``encoding`` is given.

    Detection tries, in order: a byte-order mark (UTF-32 LE/BE, UTF-8, UTF-16 LE/BE), UTF-16
    without a mark (every other byte NUL), UTF-8, CP949 when the text then reads as Korean rather
    than as Western letter soup, Windows-1252 (CP1252), and Latin-1 for the bytes CP1252 leaves
    undefined; a file that is valid UTF-8 up to a broken spot is an error, not CP1252. Encoded
    halves of surrogate pairs are read as U+FFFD.

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
        The text (BOM removed), the encoding used (``utf-16``/``utf-32`` for a file with a
        byte-order mark, which Python reads back the same way), and whether it was detected.

    Raises
    ------
    DecodingError
        When ``encoding`` is unknown, the bytes are not valid in it, or the bytes look like
        corrupt UTF-8, UTF-16 or UTF-32.

    Examples
    --------
    >>> decode_bytes("이름".encode("cp949")).encoding
    'cp949'
    >>> decode_bytes("이름".encode("utf-16")).encoding
    'utf-16'
    """
    if encoding is not None:
        name = _normalise_name(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            text = _decode(data, name)
        except UnicodeDecodeError as exc:
            raise _cut_off(exc, source, encoding, name) or DecodingError(
                f"{source}: line {_line_of(data, exc.start, name)} is not valid {encoding} "
                f"(byte 0x{data[exc.start]:02x}); check the file or pass another --encoding"
            ) from None
        if name.startswith(("utf-16", "utf-32")):
            text = text.removeprefix("\ufeff")
        return DecodedText(text, name, detected=False)

    marked = _bom_encoding(data)
    if marked is not None:
        name, skip = marked
        reported = "utf-8-sig" if name == "utf-8" else name[:6]
        try:
            return DecodedText(_decode(data[skip:], name), reported, detected=True)
        except UnicodeDecodeError as exc:
            label = {"utf-8": "UTF-8"}.get(name, name[:6].upper() + " " + name[7:].upper())
            raise _cut_off(exc, source, label, name) or DecodingError(
                f"{source}: starts with a {label} byte-order mark but line "
                f"{_line_of(data[skip:], exc.start, name)} is not valid {label}; "
                "fix that line or pass --encoding"
            ) from None
    bomless = _bomless_utf16(data)
    if bomless is not None:
        try:
            return DecodedText(_decode(data, bomless), bomless, detected=True)
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: go on with the byte-oriented encodings
    try:
        return DecodedText(_decode(data, "utf-8"), "utf-8", detected=True)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    western, western_name = _western(data)
    try:
        text = data.decode("cp949")
        if _reads_as_korean(text, western):
            return DecodedText(text, "cp949", detected=True)
    except UnicodeDecodeError as exc:
        cut = _cut_off(exc, source, "CP949", "cp949")
        if cut is not None and _reads_as_korean(data[: exc.start].decode("cp949"), western):
            raise cut from None
    # A file that is mostly valid multi-byte UTF-8 with a broken spot is corrupt UTF-8, not CP1252:
    # decoding it as CP1252 would silently turn every accented or Korean character into mojibake.
    head = data[: utf8_error.start]
    if any(b >= 0xC2 for b in head):
        raise _cut_off(utf8_error, source, "UTF-8", "utf-8") or DecodingError(
            f"{source}: line {_line_of(data, utf8_error.start)} is not valid UTF-8 "
            f"(byte 0x{data[utf8_error.start]:02x}) although the lines before it are; "
            "fix that line or pass --encoding"
        )
    # The same when the broken spot comes first: UTF-8 characters further on (a Korean row after a
    # Latin-1 one) would become mojibake under CP1252, flagged row by row but never explained.
    later = _UTF8_CHARACTER.findall(data, utf8_error.end)
    if len(later) >= _MIXED_MIN_UTF8:
        first = _UTF8_CHARACTER.search(data, utf8_error.end)
        at = first.start() if first is not None else utf8_error.end
        raise DecodingError(
            f"{source}: line {_line_of(data, utf8_error.start)} is not valid UTF-8 "
            f"(byte 0x{data[utf8_error.start]:02x}) but UTF-8 text follows (from line {_line_of(data, at)}): "
            "the file mixes encodings; re-save that line as UTF-8 or pass --encoding"
        )
    return DecodedText(western, western_name, detected=True)
