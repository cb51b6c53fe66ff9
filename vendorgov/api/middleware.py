"""Django's session, authentication and message middleware, skipped for an API request that
names its caller by a token (`vendorgov.middleware.token_request`): it never reads a
session, a session's user or a flash message, and reading them cost about a tenth of a
short API list's time (a session store, a lazy user resolved by the idle-session check,
a message storage with its cookie signer, built for every request). The classes stay in
MIDDLEWARE where Django's were, subclasses of them (the admin's and Django's checks look
for those), so every other request goes through them unchanged."""

from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware

from vendorgov.middleware import token_request


class SessionMiddleware(sessions_middleware.SessionMiddleware):
    """Django's, except for a token request (`token_request`): no session is read or
    written for it, and its answer does not say `Vary: Cookie`."""

    def process_request(self, request):
        if not token_request(request):
            super().process_request(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, except for a token request: its user is the token's, set by DRF."""

    def process_request(self, request):
        if not token_request(request):
            super().process_request(request)


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's, except for a token request: an API answer shows no flash messages."""

    def process_request(self, request):
        if not token_request(request):
            super().process_request(request)
