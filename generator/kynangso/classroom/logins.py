"""Coach logins per client address: waits that grow with each wrong PIN, and the laptop's own
addresses, which are never limited (the facilitator at the laptop can always log in).
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

LOGIN_FREE = 5  # wrong PINs an address may make before it has to wait (typing mistakes)
LOGIN_FIRST_WAIT_S = 30  # the wait after the LOGIN_FREE-th wrong PIN, doubled after each next one
LOGIN_MAX_WAIT_S = 900  # ... up to a quarter of an hour
LOGIN_FORGET_S = 24 * 3600  # an address with no wrong PIN for a day starts afresh
LOGIN_ADDRESSES = 4096  # addresses remembered at most; the longest quiet are forgotten first


@dataclass
class _Tries:
    count: int  # PIN tries since the last success (each counted as wrong until it is right)
    last: float  # when the last one was made
    until: float  # no try before this moment


class LoginLimiter:
    """Coach logins per client address, with waits that grow with each wrong PIN.

    A try is counted as wrong when it starts and forgiven when the PIN was right, so many tries
    sent at once from one phone cannot all slip in before the first one fails. The first
    LOGIN_FREE tries cost nothing; each one after that makes the address wait twice as long as
    the one before, from LOGIN_FIRST_WAIT_S up to LOGIN_MAX_WAIT_S. Memory is bounded: at most
    `capacity` addresses, and an address quiet for LOGIN_FORGET_S is forgotten. IPv6 addresses
    count by their /64, since one phone can take a fresh address in its network whenever it likes.
    The laptop's own addresses are not limited at all: the server decides that (`own_address`).
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, capacity: int = LOGIN_ADDRESSES
    ) -> None:
        self.clock, self.capacity = clock, capacity
        self.tries: OrderedDict[str, _Tries] = OrderedDict()  # oldest last try first

    def __len__(self) -> int:
        return len(self.tries)

    def attempt(self, address: str) -> float:
        """Seconds `address` must still wait (the try is refused), or 0 (the try is counted)."""
        now = self.clock()
        self._forget_before(now - LOGIN_FORGET_S)
        key = _address_key(address)
        tries = self.tries.pop(key, None) or _Tries(0, now, now)
        if now < tries.until:
            self.tries[key] = tries
            return tries.until - now
        tries.count += 1
        tries.last = now
        if tries.count >= LOGIN_FREE:
            wait = LOGIN_FIRST_WAIT_S * 2 ** min(tries.count - LOGIN_FREE, 16)
            tries.until = now + min(wait, LOGIN_MAX_WAIT_S)
        self.tries[key] = tries
        while len(self.tries) > self.capacity:
            self.tries.popitem(last=False)
        return 0.0

    def wait(self, address: str) -> float:
        """Seconds `address` must still wait before its next try (0: it may try now)."""
        tries = self.tries.get(_address_key(address))
        return 0.0 if tries is None else max(0.0, tries.until - self.clock())

    def succeeded(self, address: str) -> None:
        self.tries.pop(_address_key(address), None)

    def _forget_before(self, moment: float) -> None:
        while self.tries:
            key, tries = next(iter(self.tries.items()))
            if tries.last >= moment:
                break
            del self.tries[key]


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _address_key(address: str) -> str:
    ip = _ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip) if ip is not None else address


def laptop_addresses() -> frozenset[str]:
    """Every address of this machine's network interfaces (loopback is checked separately)."""
    import ifaddr

    found: set[str] = set()
    for adapter in ifaddr.get_adapters():
        for entry in adapter.ips:
            ip = _ip(entry.ip if isinstance(entry.ip, str) else entry.ip[0])
            if ip is not None:
                found.add(str(ip))
    return frozenset(found)


def own_address(client: str, server: str | None, laptop: frozenset[str]) -> bool:
    """Whether a request comes from the laptop running the class itself: loopback, the address
    the request came in on, or any address of its interfaces. The facilitator at the laptop can
    always log in, however many wrong PINs the class Wi-Fi has sent."""
    ip = _ip(client)
    if ip is None:
        return False
    return ip.is_loopback or str(ip) in laptop or (server is not None and _ip(server) == ip)
