"""Errors that services raise and every page and API answers the same way."""


class Conflict(Exception):
    """The record's state rules the change out (a held meeting cannot move; a dispute was
    already raised). Pages show it as a message; the API answers 409."""
