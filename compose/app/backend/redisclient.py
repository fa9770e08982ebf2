"""The backend's Redis client from REDIS_URL: redis://host:port/db, or through Sentinel as
redis+sentinel://host:port[,host:port...]/master[/db] (the notation faultline's probes use). Through
Sentinel, every new connection goes to the master the Sentinels name now, a connection to a node
that was demoted is dropped on its first READONLY answer, so the backend follows a failover."""
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.sentinel import Sentinel

TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}


def connect(url):
    parts = urlsplit(url)
    if parts.scheme != "redis+sentinel":
        return aioredis.from_url(url, decode_responses=True, **TIMEOUTS)
    sentinels = []
    for item in parts.netloc.rsplit("@", 1)[-1].split(","):
        host, _, port = item.rpartition(":")
        sentinels.append((host, int(port or 26379)))
    path = [segment for segment in parts.path.split("/") if segment]
    if not path:
        raise ValueError(f"REDIS_URL {url!r}: redis+sentinel:// needs the master's name after the hosts (…/master[/db])")
    database = int(path[1]) if len(path) > 1 else 0
    return Sentinel(sentinels, sentinel_kwargs=dict(TIMEOUTS), **TIMEOUTS).master_for(
        path[0], db=database, decode_responses=True, **TIMEOUTS)
