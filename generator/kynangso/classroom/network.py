"""This laptop's addresses on the local network, to tell phones where the class is.

The addresses come from the network interfaces (`ifaddr`), not from the machine's own name: on a
stock Debian or Ubuntu laptop that name maps to 127.0.1.1, an address no phone can open. The
interface of the default route (from /proc/net/route) comes first: it is the one on the Wi-Fi
the phones share. No packet is sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path

import ifaddr

ROUTE_FILE = Path("/proc/net/route")
# Bridges of containers and virtual machines live on this laptop only: no phone reaches them.
VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "lxc", "lxd", "podman")


def default_route_interface(route_file: Path = ROUTE_FILE) -> str | None:
    """The interface of the IPv4 default route (destination 0.0.0.0, lowest metric), or None."""
    try:
        lines = route_file.read_text(encoding="ascii", errors="replace").splitlines()[1:]
    except OSError:
        return None
    best: tuple[int, str] | None = None
    for line in lines:
        fields = line.split()
        if len(fields) < 8 or fields[1] != "00000000" or fields[7] != "00000000":
            continue
        flags = int(fields[3], 16) if _hex(fields[3]) else 0
        if not flags & 0x1:  # RTF_UP: a route that is down leads nowhere
            continue
        metric = int(fields[6]) if fields[6].isdigit() else 0
        if best is None or metric < best[0]:
            best = (metric, fields[0])
    return best[1] if best else None


def _hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def reachable(address: str) -> bool:
    """An IPv4 address a phone on the same network could open: not loopback (127.0.1.1
    included), not link-local, not unspecified, not multicast."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (
        ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast
    )


def ordered_addresses(adapters: Iterable[ifaddr.Adapter], default: str | None) -> list[str]:
    """The reachable IPv4 addresses of `adapters`, those of the `default` interface first, then
    the others in the order the system lists them, each once; virtual bridges left out."""
    first: list[str] = []
    rest: list[str] = []
    for adapter in adapters:
        name = str(adapter.name)
        if name.startswith(VIRTUAL_PREFIXES):
            continue
        for ip in adapter.ips:
            address = ip.ip
            if not isinstance(address, str) or not reachable(address):
                continue
            (first if name == default else rest).append(address)
    return list(dict.fromkeys(first + rest))


def lan_addresses(route_file: Path = ROUTE_FILE) -> list[str]:
    """This machine's IPv4 addresses phones on the local network can open, the default route's
    first; empty when it has none (no network, or loopback only)."""
    return ordered_addresses(
        ifaddr.get_adapters(include_unconfigured=False), default_route_interface(route_file)
    )
