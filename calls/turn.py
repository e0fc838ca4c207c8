"""The TURN server's command line: coturn with the platform's shared secret and a relay that cannot reach inside.

coturn relays to whatever address a client names, so without these limits it
would be a way into the internal network: loopback (refused by coturn 4.6 by
default, and named here as well), private, link-local, carrier-grade NAT,
multicast and the other reserved ranges are refused as peers.
`allow_loopback` is for the tests' own instance only, whose browsers share
one machine.
"""

import os
import random
import shutil
import socket
import subprocess
import time

DENIED_PEERS = (
    "0.0.0.0-0.255.255.255",
    "10.0.0.0-10.255.255.255",
    "100.64.0.0-100.127.255.255",
    "127.0.0.0-127.255.255.255",
    "169.254.0.0-169.254.255.255",
    "172.16.0.0-172.31.255.255",
    "192.0.0.0-192.0.0.255",
    "192.168.0.0-192.168.255.255",
    "198.18.0.0-198.19.255.255",
    "240.0.0.0-255.255.255.255",
    "::1",
    "64:ff9b::-64:ff9b::ffff:ffff",
    "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
)


def turnserver_path():
    return shutil.which("turnserver")


def turnserver_args(*, port, secret, realm, relay_ports, listen="0.0.0.0", allow_loopback=False, log_file="stdout"):
    args = [
        turnserver_path() or "turnserver",
        "-n",  # no configuration file: everything is here
        "--listening-port",
        str(port),
        "--listening-ip",
        listen,
        "--min-port",
        str(relay_ports[0]),
        "--max-port",
        str(relay_ports[1]),
        "--use-auth-secret",
        "--static-auth-secret",
        secret,
        "--realm",
        realm,
        "--fingerprint",
        "--no-cli",
        "--no-tls",
        "--no-dtls",
        "--no-multicast-peers",
        "--no-software-attribute",
        "--simple-log",
        "--log-file",
        log_file,
    ]
    for denied in DENIED_PEERS:
        if allow_loopback and denied in ("127.0.0.0-127.255.255.255", "::1"):
            continue
        args.append(f"--denied-peer-ip={denied}")
    if allow_loopback:
        args.append("--allow-loopback-peers")
    return args


def start_loopback_turnserver(folder, *, port, secret, realm, allow_loopback, relay_size=50, timeout=15):
    """coturn on 127.0.0.1:`port` for browsers on this same machine (the tests', the bench's); its process.

    It relays on 127.0.0.1 from a random range of `relay_size` ports (other runs share the machine),
    logs into `folder`, and is returned once it answers STUN over UDP: coturn opens its TCP
    listener first, and a client speaking UDP before the UDP one is up is refused. Never a
    production server: `allow_loopback` is what lets two browsers on one machine meet through it.
    """
    low = random.randrange(50000, 59000, relay_size)
    log = folder / f"turn-{port}.log"
    argv = turnserver_args(
        port=port,
        secret=secret,
        realm=realm,
        listen="127.0.0.1",
        relay_ports=(low, low + relay_size - 1),
        allow_loopback=allow_loopback,
        log_file=str(log),
    )
    argv += ["--relay-ip", "127.0.0.1", "--pidfile", str(folder / f"turn-{port}.pid")]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"coturn exited with {process.returncode}: {tail}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            if answers_stun_over_udp(port):
                return process
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"coturn did not answer on 127.0.0.1:{port} within {timeout} s")


def answers_stun_over_udp(port):
    """Whether a STUN binding request to 127.0.0.1:`port` over UDP gets an answer within half a second."""
    request = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + os.urandom(12)  # Binding, no attributes, magic cookie
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.sendto(request, ("127.0.0.1", port))
            answer, _address = probe.recvfrom(2048)
        except OSError:
            return False
    return answer[:2] == b"\x01\x01" and answer[8:20] == request[8:20]  # a Binding success for our request
