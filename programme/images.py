"""Logos and speaker photos: what an upload really is, decided by Pillow, never by its name or header.

An accepted upload is decoded and encoded again (PNG, JPEG or WebP) before it is stored, so what we
serve is pixels we wrote ourselves: no script in an SVG, no polyglot file, no EXIF with a location.
"""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from summit.errors import Invalid

# Pillow's format name -> (format written, file extension). GIF becomes PNG: no animation needed here.
ACCEPTED = {"PNG": ("PNG", "png"), "JPEG": ("JPEG", "jpg"), "WEBP": ("WEBP", "webp"), "GIF": ("PNG", "png")}
SNIFF_BYTES = 1024


def _looks_like_markup(head):
    """SVG and other XML: Pillow cannot read them anyway, but the refusal should say why."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")) or b"<svg" in text


def check_image(upload):
    """Returns a re-encoded copy of `upload` ready for a storage, or raises Invalid saying what is wrong."""
    if upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        limit = settings.IMAGE_UPLOAD_MAX_BYTES // 1024
        raise Invalid(_("The image is too large: %(max)d KB at most.") % {"max": limit})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if _looks_like_markup(head):
        raise Invalid(_("SVG and other vector images are refused: upload a PNG, JPEG or WebP image."))
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in ACCEPTED:
                raise Invalid(_("Only PNG, JPEG and WebP images are accepted."))
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise Invalid(_("The image has too many pixels: %(w)d × %(h)d.") % {"w": width, "h": height})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            return _reencode(image, *ACCEPTED[kind])
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise Invalid(_("This file is not an image we can read: upload a PNG, JPEG or WebP image.")) from None


def _reencode(image, kind, extension):
    if kind == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    options = {"optimize": True} if kind == "PNG" else {"quality": 88}
    image.save(out, format=kind, **options)  # a new file: no metadata of the upload is carried over
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
