"""The cluster's ports are chosen outside the kernel's ephemeral range, so that no outgoing connection can take one
between the choice and the service's bind (no cluster started here)."""

from __future__ import annotations

import socket

import pytest

from parismed import ports as port_helpers
from parismed.cli_cluster import Cluster
from parismed.ports import ephemeral_range, reserve_ports


@pytest.fixture
def fake_range(tmp_path, monkeypatch):
    """ephemeral_range() reads ``low high`` written by the test."""

    def write(low: int, high: int) -> None:
        path = tmp_path / "ip_local_port_range"
        path.write_text(f"{low}\t{high}\n")
        monkeypatch.setattr(port_helpers, "EPHEMERAL_RANGE_FILE", path)

    return write


def test_ports_are_distinct_free_and_outside_the_ephemeral_range():
    low, high = ephemeral_range()
    ports = reserve_ports(12)
    assert len(set(ports)) == 12
    assert all(port_helpers.PORT_FLOOR <= p < 65536 and not low <= p <= high for p in ports)
    assert all(port_helpers.port_is_free("127.0.0.1", p) for p in ports)


def test_a_port_in_use_or_to_avoid_is_not_given(fake_range):
    fake_range(10000, 65529)  # six candidates: 65530..65535
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 65530))
        busy.listen()
        for _ in range(5):  # the order is random: every draw must leave the busy port out
            assert sorted(reserve_ports(4, avoid={65531})) == [65532, 65533, 65534, 65535]


def test_no_room_outside_the_range_falls_back_on_free_port(fake_range):
    fake_range(1024, 65535)
    ports = reserve_ports(3)
    assert len(set(ports)) == 3 and all(port_helpers.port_is_free("127.0.0.1", p) for p in ports)


def test_unreadable_range_is_linux_default(monkeypatch, tmp_path):
    monkeypatch.setattr(port_helpers, "EPHEMERAL_RANGE_FILE", tmp_path / "absent")
    assert ephemeral_range() == port_helpers.LINUX_EPHEMERAL_RANGE


def test_cluster_chooses_every_port_and_keeps_a_given_public_port(tmp_path):
    cluster = Cluster(app_port=0, rasa_port=0, var_dir=tmp_path)
    cluster.allocate_ports()
    names = ["postgres", "redis", "actions-lb", "rasa-lb", "public", "rasa-1", "rasa-2", "app-1", "app-2"]
    assert set(names + ["actions-1", "actions-2"]) == set(cluster.ports)
    assert len(set(cluster.ports.values())) == len(cluster.ports)
    assert (cluster.app_port, cluster.rasa_port) == (cluster.ports["public"], cluster.ports["rasa-lb"])
    low, high = ephemeral_range()
    assert not any(low <= p <= high for p in cluster.ports.values())
    before = dict(cluster.ports)
    cluster.allocate_ports()  # a restart keeps the ports
    assert cluster.ports == before

    given = Cluster(app_port=8080, rasa_port=0, var_dir=tmp_path)
    given.allocate_ports()
    assert given.app_port == 8080 == given.ports["public"] and given.rasa_port == given.ports["rasa-lb"] != 0
