"""One error type for bad input: it names the file, the place in it and what is wrong."""

from __future__ import annotations


class InputError(Exception):
    """Bad input. ``str(err)`` reads ``file:line: at place what is wrong``."""

    def __init__(self, source: str, message: str, place: str = "", line: int | None = None):
        self.source = source
        self.message = message
        self.place = place
        self.line = line
        super().__init__(str(self))

    @property
    def problems(self) -> list[InputError]:
        """Each problem reported: this one (several for :class:`InputErrors`)."""
        return [self]

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        at = f" at {self.place}" if self.place else ""
        return f"{where}:{at} {self.message}" if at else f"{where}: {self.message}"


class InputErrors(InputError):
    """Several problems found in one file; each is reported."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.source, first.message, first.place, first.line)

    @property
    def problems(self) -> list[InputError]:
        return self.errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class InputWarning:
    """Something in the input that was accepted but that a reader of the scorecard must know of.

    It names the place as an :class:`InputError` does; warnings travel with the scorecard.
    """

    __slots__ = ("line", "message", "place", "source")

    def __init__(self, source: str, message: str, place: str = "", line: int | None = None):
        self.source, self.message, self.place, self.line = source, message, place, line

    def __str__(self) -> str:
        return InputError.__str__(self)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InputWarning) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "line": self.line, "place": self.place, "message": self.message}
