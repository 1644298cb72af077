"""This laptop's addresses on the local network, to tell phones where the class is."""

from __future__ import annotations

import ipaddress
import socket


def lan_addresses() -> list[str]:
    """Non-loopback IPv4 addresses of this machine, from its own name (no packet is sent)."""
    found: list[str] = []
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, family=socket.AF_INET)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0])
        if not ipaddress.ip_address(address).is_loopback and address not in found:
            found.append(address)
    return found or ["127.0.0.1"]
