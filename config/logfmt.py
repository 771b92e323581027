"""Log lines a collector can parse: logfmt, one event per line.

`time=… level=… logger=… msg=… key=value …`. Values with spaces, quotes or `=` are quoted;
newlines and other control characters are escaped, so that text a user typed (a path, a project
name) can never start a forged line of its own. Tracebacks go into one `exc="…"` value.
"""

import datetime
import logging

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def quote(value):
    text = "" if value is None else str(value)
    if text and all(ch.isprintable() and ch not in ' "=\\' for ch in text):
        return text
    escaped = []
    for ch in text:
        if ch == "\\":
            escaped.append("\\\\")
        elif ch == '"':
            escaped.append('\\"')
        elif ch == "\n":
            escaped.append("\\n")
        elif ch == "\r":
            escaped.append("\\r")
        elif ch == "\t":
            escaped.append("\\t")
        elif not ch.isprintable() and ch != " ":
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def line(pairs):
    return " ".join(f"{key}={quote(value)}" for key, value in pairs)


class LogfmtFormatter(logging.Formatter):
    def format(self, record):
        moment = datetime.datetime.fromtimestamp(record.created).astimezone()
        pairs = [
            ("time", moment.isoformat(timespec="milliseconds")),
            ("level", record.levelname.lower()),
            ("logger", record.name),
            ("msg", record.getMessage()),
        ]
        pairs += [
            (key, value)
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        ]
        if record.exc_info:
            pairs.append(("exc", self.formatException(record.exc_info)))
        elif record.exc_text:
            pairs.append(("exc", record.exc_text))
        return line(pairs)
