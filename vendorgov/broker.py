"""kombu's Redis transport with one defect closed: a Redis restart could end the worker.

What happens (kombu 5.7, celery 5.7): when the broker connection breaks, the worker's
consumer first `collect()`s the connection (closing its channels with a 5 s socket
timeout) and then `close()`s it. If a channel's close stalls in the first pass (Redis is
going down or coming back, a socket times out), `collect()` gives up on it, detaches the
transport from its connection (`transport.client = None`) and moves on. The second pass
closes that channel again; by then Redis is back, so the close gets as far as putting the
channel's unacknowledged messages back on their queue. That needs a new connection pool,
whose parameters are read from `transport.client`, which is now None: AttributeError
("'NoneType' object has no attribute 'hostname'"), which is not a connection error, so
nothing along the way ignores it, and the worker stops with "Unrecoverable error".

The fix is in the one place that reaches for the detached connection: with no connection
left, the channel leaves its unacknowledged messages where they already are, in Redis'
unacked index, from which the visibility timeout (CELERY_VISIBILITY_TIMEOUT, five minutes)
puts them back on their queue for any worker. Nothing is lost; the worker reconnects and
goes on. tests/infra/test_redis_restart.py puts a channel in exactly that state against a
real Redis.

Installed under the `redis://` and `rediss://` schemes (`install()`, called by
vendorgov/celery.py before the app connects), so the URLs stay the standard ones.
"""

import logging

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis

logger = logging.getLogger(__name__)


class QoS(kombu_redis.QoS):
    def restore_unacked(self, client=None):
        transport = self.channel.connection
        if client is None and getattr(transport, "client", None) is None:
            if self._delivered:
                logger.warning(
                    "Broker connection already closed: %d unacknowledged message(s) stay in "
                    "Redis and are redelivered after the visibility timeout.",
                    len(self._delivered))
            # Local bookkeeping only: the messages themselves stay in the unacked index.
            self._delivered.clear()
            return
        return super().restore_unacked(client)


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    Channel = Channel


def install() -> None:
    for scheme in ("redis", "rediss"):
        TRANSPORT_ALIASES[scheme] = f"{__name__}:Transport"
