"""Logos and speaker photos: sniffed by Pillow, capped in size, re-encoded, stored through Django's storage."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from events.models import Speaker
from tests.conftest import csrf_headers

pytestmark = pytest.mark.django_db

EDITOR = "/summits/roadshow/organiser/programme/"
SVG_WITH_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>"""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture(kind="PNG", size=(40, 30), **save_options):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=kind, **save_options)
    return out.getvalue()


def upload_logo(client, company, name, content, content_type):
    return client.post(
        EDITOR + f"companies/{company.pk}/",
        {
            "name_en": company.name,
            "slug": company.slug,
            "country": "FR",
            "website": "",
            "member_emails": "",
            "logo_upload": SimpleUploadedFile(name, content, content_type=content_type),
        },
        headers=csrf_headers(client),
    )


def test_a_png_logo_is_re_encoded_and_stored_under_media_root(organiser_client, fair_vision, media_root):
    original = picture("PNG", pnginfo=_text_chunk("Comment", "secret camera serial"))
    response = upload_logo(organiser_client, fair_vision, "logo.png", original, "image/png")
    assert response.status_code == 302
    fair_vision.refresh_from_db()
    stored = media_root / fair_vision.logo.name
    assert stored.is_file() and stored.suffix == ".png"
    data = stored.read_bytes()
    assert data != original and b"secret camera serial" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))
    assert fair_vision.logo.url.startswith("/uploads/logos/")
    served = organiser_client.get(fair_vision.logo.url)
    assert (served.status_code, served.headers["Content-Type"]) == (200, "image/png")
    assert b"".join(served.streaming_content) == data
    company_page = organiser_client.get("/summits/roadshow/companies/fair-vision/").content.decode()
    assert f'src="{fair_vision.logo.url}"' in company_page


def test_a_jpeg_photo_loses_its_exif_and_shows_on_the_session_page(organiser_client, summit, keynote, media_root):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker with a location"
    original = picture("JPEG", exif=exif.tobytes())
    response = organiser_client.post(
        EDITOR + "speakers/new/",
        {
            "name": "Wang Lei",
            "organisation": "",
            "company": "",
            "photo_upload": SimpleUploadedFile("wang.jpg", original, content_type="image/jpeg"),
        },
        headers=csrf_headers(organiser_client),
    )
    assert response.status_code == 302
    speaker = Speaker.objects.get(name="Wang Lei")
    keynote.speakers.set([speaker])
    page = organiser_client.get(f"/summits/roadshow/sessions/{keynote.pk}/").content.decode()
    assert f'src="{speaker.photo.url}"' in page
    with Image.open(media_root / speaker.photo.name) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_a_gif_logo_is_stored_as_a_png(organiser_client, fair_vision, media_root):
    assert upload_logo(organiser_client, fair_vision, "logo.gif", picture("GIF"), "image/gif").status_code == 302
    fair_vision.refresh_from_db()
    with Image.open(media_root / fair_vision.logo.name) as image:
        assert image.format == "PNG"


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(organiser_client, fair_vision, media_root):
    response = upload_logo(organiser_client, fair_vision, "logo.png", b"%PDF-1.7 not a picture", "image/png")
    assert response.status_code == 422
    assert "This file is not an image we can read" in response.content.decode()
    fair_vision.refresh_from_db()
    assert not fair_vision.logo
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_an_svg_with_a_script_is_refused(organiser_client, fair_vision):
    response = upload_logo(organiser_client, fair_vision, "logo.png", SVG_WITH_SCRIPT, "image/svg+xml")
    assert response.status_code == 422
    assert "SVG and other vector images are refused" in response.content.decode()
    fair_vision.refresh_from_db()
    assert not fair_vision.logo


def test_an_image_over_the_size_cap_is_refused(organiser_client, fair_vision, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1024
    out = io.BytesIO()
    Image.frombytes("RGB", (100, 100), os.urandom(100 * 100 * 3)).save(out, format="PNG")  # noise: no compression
    big = out.getvalue()
    assert len(big) > 1024
    response = upload_logo(organiser_client, fair_vision, "big.png", big, "image/png")
    assert response.status_code == 422
    assert "The image is too large: 1 KB at most." in response.content.decode()


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(organiser_client, fair_vision, settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    response = upload_logo(organiser_client, fair_vision, "wide.png", picture("PNG", size=(200, 200)), "image/png")
    assert response.status_code == 422
    assert "The image has too many pixels: 200 × 200." in response.content.decode()


def test_a_replaced_logo_file_is_deleted_once_committed(
    organiser_client, fair_vision, media_root, django_capture_on_commit_callbacks
):
    upload_logo(organiser_client, fair_vision, "one.png", picture(), "image/png")
    fair_vision.refresh_from_db()
    first = media_root / fair_vision.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        upload_logo(organiser_client, fair_vision, "two.webp", picture("WEBP"), "image/webp")
    fair_vision.refresh_from_db()
    assert fair_vision.logo.name.endswith(".webp")
    assert not first.exists()
    assert (media_root / fair_vision.logo.name).is_file()


def _text_chunk(key, value):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info
