"""Local TCP ports for the processes the launchers start: a free one now (`free_port`), or several outside the
kernel's ephemeral range (`reserve_ports`), which no outgoing connection can take before the service binds it."""

from __future__ import annotations

import random
import socket
from collections.abc import Collection
from pathlib import Path

# The kernel's range of local ports for outgoing connections (Linux's default when it cannot be read), and the
# lowest port the cluster takes (below, the usual ports of installed services).
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LINUX_EPHEMERAL_RANGE = (32768, 60999)
PORT_FLOOR = 10000


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ephemeral_range() -> tuple[int, int]:
    """The first and last local port the kernel gives outgoing connections (and ``bind(0)``)."""
    try:
        low, high = (int(n) for n in EPHEMERAL_RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return LINUX_EPHEMERAL_RANGE
    return low, high


def reserve_ports(count: int, host: str = "127.0.0.1", avoid: Collection[int] = ()) -> list[int]:
    """``count`` distinct ports, free now, outside the kernel's ephemeral range (random among them).

    ``free_port()`` finds a port by binding port 0, so it comes from the ephemeral range: between that check and
    the service's own bind (tens of seconds for Rasa), any outgoing connection (a client of PostgreSQL or Redis, a
    health check) may be given the same port and the service cannot bind it (« address already in use », seen once
    for rasa-1 on a fresh-clone CI run). Outside that range, only a program that binds that very port can take it.
    When the ephemeral range leaves no room, ``free_port()`` is the fallback."""
    low, high = ephemeral_range()
    candidates = [port for port in range(PORT_FLOOR, 65536) if not low <= port <= high and port not in avoid]
    random.shuffle(candidates)
    ports: list[int] = []
    for port in candidates:
        if len(ports) == count:
            break
        if port_is_free(host, port):
            ports.append(port)
    while len(ports) < count:
        port = free_port()
        if port not in ports and port not in avoid:
            ports.append(port)
    return ports
