"""Servers of a test's own that it may break: a Redis primary with its replica and sentinels to kill, and
a TCP proxy in front of PostgreSQL to cut. Shared services are never the ones a test kills."""

import socket
import subprocess
import time
from contextlib import suppress

from tests.servers import free_port


class SentinelSet:
    """A Redis primary, one replica and three sentinels of the test's own, on free ports, that it may kill.

    `url` is the REDIS_URL naming the set (docs/operations.md); `kill_primary()` SIGKILLs the primary
    and returns once the sentinels have promoted the replica.
    """

    MASTER = "summit-test"

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.primary_port, self.replica_port = free_port(), free_port()
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.url = "sentinel://" + ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports) + f"/{self.MASTER}/0"
        self.processes = {}

    def _redis_server(self, name, *args):
        with open(self.tmp_path / f"{name}.log", "w") as log:
            self.processes[name] = subprocess.Popen(
                ["redis-server", *args], stdout=log, stderr=subprocess.STDOUT, cwd=self.tmp_path
            )

    def start(self):
        import redis

        plain = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._redis_server("primary", "--port", str(self.primary_port), *plain)
        self._redis_server(
            "replica", "--port", str(self.replica_port), *plain, "--replicaof", "127.0.0.1", str(self.primary_port)
        )
        for n, port in enumerate(self.sentinel_ports):
            config = self.tmp_path / f"sentinel-{n}.conf"
            config.write_text(
                f"port {port}\nbind 127.0.0.1\nsentinel monitor {self.MASTER} 127.0.0.1 {self.primary_port} 2\n"
                f"sentinel down-after-milliseconds {self.MASTER} 1000\n"
                f"sentinel failover-timeout {self.MASTER} 10000\n"
            )
            self._redis_server(f"sentinel-{n}", str(config), "--sentinel")
        # Ready once every sentinel knows the replica and the two other sentinels: failover needs both.
        self._wait(lambda: all(self._sentinel_ready(port) for port in self.sentinel_ports), "the sentinels to agree")
        self._wait(
            lambda: redis.Redis(port=self.replica_port).info("replication")["master_link_status"] == "up",
            "the replica to sync",
        )

    def _sentinel_ready(self, port):
        import redis

        client = redis.Redis(port=port, socket_timeout=1)
        return len(client.sentinel_slaves(self.MASTER)) == 1 and len(client.sentinel_sentinels(self.MASTER)) == 2

    def master_port(self):
        import redis

        return redis.Redis(port=self.sentinel_ports[0], socket_timeout=1).sentinel_get_master_addr_by_name(self.MASTER)[
            1
        ]

    def kill_primary(self):
        """SIGKILL the primary; return once every sentinel hands out the promoted replica, as clients ask."""
        import redis
        from redis.sentinel import Sentinel

        # Redis replicates asynchronously: kill once the replica holds what was written (a clean test).
        offset = redis.Redis(port=self.primary_port, socket_timeout=1).info("replication")["master_repl_offset"]
        self._wait(
            lambda: (
                redis.Redis(port=self.replica_port, socket_timeout=1).info("replication")["slave_repl_offset"] >= offset
            ),
            "the replica to catch up",
        )
        self.processes["primary"].kill()
        self.processes["primary"].wait()
        self._wait(
            lambda: all(
                Sentinel([("127.0.0.1", port)], socket_timeout=1).discover_master(self.MASTER)[1] == self.replica_port
                for port in self.sentinel_ports
            ),
            "the replica's promotion",
        )

    def _wait(self, condition, what, seconds=60):
        import redis

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except (redis.RedisError, OSError, KeyError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"gave up waiting for {what}")

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


class TcpProxy:
    """A TCP proxy of the test's own in front of a shared server (PostgreSQL), which the test may cut.

    `cut()` drops every connection and refuses new ones, as a restarting server does, without touching
    the server itself; `restore()` accepts again on the same port.
    """

    def __init__(self, target_host, target_port):
        import threading

        self.target = (target_host, target_port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets = set()
        self.listener = None

    def start(self):
        import threading

        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    restore = start

    def _accept(self, listener):
        import threading

        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._close(end)

    def _close(self, end):
        with self.lock:
            self.sockets.discard(end)
        with suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def cut(self):
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        with self.lock:
            ends = list(self.sockets)
        for end in ends:
            self._close(end)

    def stop(self):
        self.cut()
