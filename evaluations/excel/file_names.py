"""The names of downloaded files and of the files inside a .zip, made from project and
department names that departments typed.

A name shows what it says: a right-to-left override (U+202E) would show "…slx.exe" as
"…exe.xls", a control character or a path separator could make the name a path or break the
header it travels in. Chinese and other visible text is kept as it is.
"""

import re
import unicodedata

# Characters Windows refuses in file names, and the separators of every system.
_FORBIDDEN = set('/\\:*?"<>|')
# Control (Cc) and format (Cf, bidirectional controls among them) characters, line and
# paragraph separators, lone surrogates: nothing a reader sees.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}
# Names Windows keeps for devices, whatever the extension.
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{number}" for port in ("COM", "LPT") for number in "123456789"
}
# File systems hold 255 bytes in a name; a Chinese character is three of them in UTF-8.
MAX_BYTES = 240
FALLBACK = "forms"


def _plain(character):
    if character.isspace():
        return " "
    if character in _FORBIDDEN or unicodedata.category(character) in _INVISIBLE:
        return ""
    return character


def file_name(stem, extension, number=None):
    """`stem.extension` with only visible characters, short enough for any file system;
    `stem (number).extension` with a number."""
    text = "".join(_plain(character) for character in stem)
    text = re.sub(r" {2,}", " ", text).strip(" .")
    suffix = f" ({number}).{extension}" if number else f".{extension}"
    # Cut on bytes; a character the cut splits is dropped whole.
    room = MAX_BYTES - len(suffix.encode())
    text = text.encode()[:room].decode(errors="ignore").rstrip(" .") or FALLBACK
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    return text + suffix
