"""The errors the relay client raises. Views show each kind differently; nothing from
`requests` ever leaves the client."""


class RelayError(Exception):
    """Base of every failure talking to relay.

    `status` is relay's HTTP status when there was a response, `message` relay's own
    words (from its `{"message": ...}` body) or ours when there was none.
    """

    def __init__(self, message: str, *, status: int | None = None, operation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.operation = operation

    def __str__(self) -> str:
        where = f"{self.operation}: " if self.operation else ""
        code = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{where}{self.message}{code}"


class NotFound(RelayError):
    """404: the order, property or comment id does not exist in relay."""


class ValidationFailed(RelayError):
    """400/413/422: relay (or the client's own pre-check) refused the input."""


class Unauthorized(RelayError):
    """401/403: the company's API key is missing, wrong or revoked."""


class Unavailable(RelayError):
    """relay could not be reached or answered with a temporary failure (timeout, 5xx, 429)."""


class BadResponse(RelayError):
    """relay answered, but not with what the operation promises (not JSON, wrong shape)."""


class OutcomeUnknown(RelayError):
    """A write was sent, but whether relay did it cannot be told from the answer.

    The body went out and then the answer timed out, the connection dropped, the answer
    was cut, or a 2xx body is not what the reference documents for the operation. relay
    may have done the write: only reading relay tells (the services do that), never a
    guess. `status` is the 2xx status when there was one.
    """


class NotSaved(RelayError):
    """A write's outcome was unknown, and reading relay showed it is not there: not
    done, and sending it again is safe."""


class TimedOut(Unavailable):
    """relay was reached but did not answer in time (a read: asking again may help)."""
