"""All user-facing errors of Reply Coach, in one place (as spaCy keeps its Errors).

Each error names what went wrong and where (file, line, field) so a user can fix the input
without reading a traceback. The CLI prints `str(error)` and exits with status 2.
"""
from __future__ import annotations


class CoachError(Exception):
    """Base class: anything Reply Coach reports to a user as a clean message."""


class InputError(CoachError):
    """Bad input data, located by file, line (1-based) and field when known."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field, self.reason = path, line, field, message
        where = path or ("<input>" if line is not None or field else "")
        if line is not None:
            where += f":{line}"
        if field:
            where += f": field {field!r}"
        super().__init__(f"{where}: {message}" if where else message)


class NothingToCheck(InputError):
    """An empty or blank draft, or a file with no drafts in it.

    One behaviour everywhere (check, rewrite, score, the app and its API): the same "nothing to
    check" error, never "No problems found" for a draft that was not there.
    """

    def __init__(self, what: str = "the draft is empty", path: str | None = None,
                 line: int | None = None, field: str | None = None) -> None:
        super().__init__(f"nothing to check: {what}", path, line, field)


def require_draft(text: str, path: str | None = None, line: int | None = None,
                  field: str | None = None) -> str:
    """`text` itself when it holds anything but whitespace, else NothingToCheck."""
    if not text.strip():
        raise NothingToCheck(path=path, line=line, field=field)
    return text


class RulePackError(CoachError):
    """A rule pack file that cannot be loaded (bad YAML, unknown type, bad regex, ...)."""

    def __init__(self, path: str, message: str, rule: str | None = None) -> None:
        loc = f"{path}" + (f" (rule {rule})" if rule else "")
        super().__init__(f"rule pack {loc}: {message}")


class ModelUnavailableError(CoachError):
    """Model weights or a runtime package are missing; the message says what to install."""


class ConfigError(CoachError):
    """A bad pipeline configuration (unknown detector, bad threshold, ...)."""
