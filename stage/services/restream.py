"""Restream targets: the media server relays a room's original stream to them, unchanged, while it is live.

Organisers only; targets and their keys are shown to nobody else. A target must be a public address:
never loopback, private, link-local, multicast, unspecified or one of the platform's own, whether
written as an address or as a name that resolves to one. The check runs when the target is saved and
again each time the relay starts (the media server asks `check_relay_may_start`), since a name may
resolve elsewhere later. The media server relays through ffmpeg (stage/services/mediaconfig.py), which
speaks `rtmp://` and `rtmps://`; a URL or key may hold no nginx syntax, as they go into its configuration.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from events.services import check_organiser
from stage.models import RestreamTarget
from stage.services import media, mediaconfig
from summit.errors import Forbidden, Invalid, NotFound

URL_PATTERN = re.compile(r"rtmps?://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?(/[A-Za-z0-9._~\-/]*)?")
KEY_PATTERN = re.compile(r"[A-Za-z0-9._~\-?=&%+/:]*")
MAX_TARGETS = 5
DEFAULT_PORTS = {"rtmp": 1935, "rtmps": 443}
# IPv6 prefixes that carry an IPv4 address inside (NAT64; 6to4 and Teredo have ipaddress helpers).
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeAddress(Exception):
    """A target address the media server must not reach."""


def resolve(host, port):
    """Every address `host` resolves to (a literal address resolves to itself). Tests replace it."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _embedded(address):
    """The IPv4 address an IPv6 one stands for (v4-mapped, NAT64, 6to4, Teredo), else the address itself."""
    if address.version == 6:
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour:
            return address.sixtofour
        if address.teredo:
            return address.teredo[1]
    return address


def _addresses_of(host):
    """The addresses of one of the platform's hosts (an address, a network, or a name); none if unknown."""
    try:
        return {ipaddress.ip_network(host, strict=False)}
    except ValueError:
        pass
    try:
        return {ipaddress.ip_network(_embedded(ipaddress.ip_address(a.split("%")[0]))) for a in resolve(host, None)}
    except (OSError, UnicodeError, ValueError):
        return set()


def platform_networks():
    """The platform's own addresses: its configured hosts, this machine's name, RESTREAM_REFUSED_HOSTS."""
    urls = [settings.SITE_URL, settings.MEDIA_ORIGIN, settings.MEDIA_PLATFORM_URL, settings.RTMP_SERVER_URL]
    hosts = {urlsplit(url).hostname for url in urls} | {socket.gethostname(), settings.MEDIA_LISTEN_ADDRESS}
    hosts |= {host.lstrip(".") for host in settings.ALLOWED_HOSTS if host not in ("*", "")}
    hosts |= set(settings.RESTREAM_REFUSED_HOSTS)
    networks = set()
    for host in sorted(filter(None, hosts)):
        networks |= _addresses_of(host)
    return networks


def check_public_address(text, own_networks):
    """Raise UnsafeAddress unless `text` is a global unicast address that is not the platform's."""
    try:
        address = _embedded(ipaddress.ip_address(text.split("%")[0]))
    except ValueError:
        raise UnsafeAddress(text) from None
    permitted = [ipaddress.ip_network(network, strict=False) for network in settings.RESTREAM_PERMITTED_NETWORKS]
    if any(address in network for network in permitted if network.version == address.version):
        return
    if not address.is_global or address.is_multicast or address.is_unspecified:
        raise UnsafeAddress(text)
    if any(address in network for network in own_networks if network.version == address.version):
        raise UnsafeAddress(text)


def check_target_host(url, *, unresolved_ok):
    """Raise UnsafeAddress when the target's host is or resolves to an address the relay must not reach.

    A name that does not resolve now passes when `unresolved_ok` (saving: the relay checks it again),
    and fails otherwise (the relay is starting: ffmpeg could not reach it anyway).
    """
    parts = urlsplit(url)
    try:
        host, port = parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise UnsafeAddress(url) from None
    if not host:
        raise UnsafeAddress(url)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        if unresolved_ok and not _is_address(host):
            return
        raise UnsafeAddress(host) from None
    own = platform_networks()
    for address in addresses or [host]:
        check_public_address(address, own)


def _is_address(host):
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def check_restream_target(url, stream_key):
    url = (url or "").strip() if isinstance(url, str) else ""
    stream_key = (stream_key or "").strip() if isinstance(stream_key, str) else ""
    if len(url) > 300 or not URL_PATTERN.fullmatch(url):
        raise Invalid(
            _("The target must be an rtmp:// or rtmps:// address, such as rtmp://live-push.bilivideo.com/live-bvc.")
        )
    if len(stream_key) > 300 or not KEY_PATTERN.fullmatch(stream_key):
        raise Invalid(_("The stream key may hold letters, digits and . _ ~ - ? = & % + / : only."))
    try:
        check_target_host(url, unresolved_ok=True)
    except UnsafeAddress:
        raise Invalid(
            _("The target must be a public address: not this platform, nor a local or private network.")
        ) from None
    return url, stream_key


def check_relay_may_start(app, public_name, token):
    """`on_publish` of a target's application: the media server is about to relay there, so the publish
    must come from the room's relay and the target must still exist and still be a public address."""
    media.check_publish_token(app, public_name, token)
    target_id = app.removeprefix(media.RESTREAM_APP_PREFIX)
    target = RestreamTarget.objects.filter(pk=int(target_id)).first() if target_id.isdigit() else None
    if target is None:
        raise Forbidden(_("No such restream target."))
    try:
        check_target_host(target.url, unresolved_ok=False)
    except UnsafeAddress:
        raise Forbidden(_("The restream target is not a public address.")) from None
    return target


def restream_targets(user, room):
    check_organiser(user, room.summit)
    return [target_view(target) for target in RestreamTarget.objects.filter(room=room)]


def target_view(target):
    return {"id": target.pk, "url": target.url, "stream_key": target.stream_key}


def do_add_restream_target(user, room, url, stream_key):
    check_organiser(user, room.summit)
    url, stream_key = check_restream_target(url, stream_key)
    if RestreamTarget.objects.filter(room=room).count() >= MAX_TARGETS:
        raise Invalid(_("A room relays to %(max)d targets at most.") % {"max": MAX_TARGETS})
    with transaction.atomic():
        target = RestreamTarget.objects.create(room=room, url=url, stream_key=stream_key)
        transaction.on_commit(mediaconfig.write_config)
    return target_view(target)


def do_remove_restream_target(user, room, target_id):
    check_organiser(user, room.summit)
    with transaction.atomic():
        deleted, _rows = RestreamTarget.objects.filter(room=room, pk=target_id).delete()
        if not deleted:
            raise NotFound(_("No such restream target in this room."))
        transaction.on_commit(mediaconfig.write_config)
