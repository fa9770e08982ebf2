"""Errors whose message the client is shown as an `error` event; never retried."""


class ClientVisibleError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class DependencyError(ClientVisibleError):
    """A dependency failed after every attempt (database unavailable, model timeout, auth down)."""


class RequestError(ClientVisibleError):
    """The client asked for something it may not have or sent something invalid."""
