"""The laptop's addresses phones can open: from the network interfaces, the default route's
first, never a loopback one."""

from __future__ import annotations

from pathlib import Path

import ifaddr

from kynangso.classroom.network import (
    default_route_interface,
    lan_addresses,
    ordered_addresses,
    reachable,
)

HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"


def route_file(tmp_path: Path, *rows: tuple[str, str, int]) -> Path:
    """A /proc/net/route with a route per (interface, destination, metric)."""
    lines = [
        f"{iface}\t{dest}\t010200C0\t0003\t0\t0\t{metric}\t"
        f"{'00000000' if dest == '00000000' else '00FFFFFF'}\t0\t0\t0\n"
        for iface, dest, metric in rows
    ]
    path = tmp_path / "route"
    path.write_text(HEADER + "".join(lines), encoding="ascii")
    return path


def adapter(name: str, *addresses: str) -> ifaddr.Adapter:
    return ifaddr.Adapter(name, name, [ifaddr.IP(a, 24, name) for a in addresses])


def test_the_default_route_interface_is_the_one_of_lowest_metric(tmp_path: Path) -> None:
    path = route_file(
        tmp_path,
        ("eth0", "000200C0", 0),
        ("wlan0", "00000000", 600),
        ("enp3s0", "00000000", 100),
    )
    assert default_route_interface(path) == "enp3s0"
    assert default_route_interface(route_file(tmp_path, ("eth0", "000200C0", 0))) is None
    assert default_route_interface(tmp_path / "missing") is None


def test_addresses_of_the_default_route_come_first_loopback_never() -> None:
    adapters = [
        adapter("lo", "127.0.0.1"),
        adapter("docker0", "172.17.0.1"),
        adapter("eth0", "10.1.2.3", "169.254.9.9"),
        adapter("wlan0", "192.168.1.20"),
    ]
    assert ordered_addresses(adapters, "wlan0") == ["192.168.1.20", "10.1.2.3"]
    assert ordered_addresses(adapters, None) == ["10.1.2.3", "192.168.1.20"]
    assert ordered_addresses([adapter("lo", "127.0.0.1")], "lo") == []


def test_loopback_and_the_debian_hostname_address_are_not_reachable() -> None:
    for address in ("127.0.0.1", "127.0.1.1", "0.0.0.0", "169.254.1.1", "::1", "nonsense"):
        assert not reachable(address), address
    assert reachable("192.168.1.20") and reachable("10.0.0.1")


def test_on_this_machine_each_interface_named_by_the_route_comes_first(tmp_path: Path) -> None:
    """Against the real interfaces: whichever carries the default route leads the list."""
    adapters = list(ifaddr.get_adapters())
    every = lan_addresses(route_file(tmp_path))
    assert all(reachable(a) for a in every)
    assert not any(a.startswith("127.") for a in every)
    for found in adapters:
        mine = [ip.ip for ip in found.ips if isinstance(ip.ip, str) and reachable(ip.ip)]
        if not mine or found.name.startswith("docker"):
            continue
        ordered = lan_addresses(route_file(tmp_path, (found.name, "00000000", 0)))
        assert ordered[: len(mine)] == mine
        assert sorted(ordered) == sorted(every)
