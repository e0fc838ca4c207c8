"""The TURN server's command line: coturn with the platform's shared secret and a relay that cannot reach inside.

coturn relays to whatever address a client names, so without these limits it
would be a way into the internal network: loopback (refused by coturn 4.6 by
default, and named here as well), private, link-local, carrier-grade NAT,
multicast and the other reserved ranges are refused as peers.
`allow_loopback` is for the tests' own instance only, whose browsers share
one machine.
"""

import shutil

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
