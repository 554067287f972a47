"""The Pillow pipeline on its own: every orientation upright, accepted formats, bombs, and nothing kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from server.photos.processing import DISPLAY_EDGE, THUMB_EDGE, NotAcceptedImage, process_photo
from server.settings import Settings
from tests.photos.images import (
    QUADRANTS,
    encode,
    hostile_files,
    jpeg,
    oriented_jpeg,
    phone_photo,
    picture,
    png_declaring,
    quadrant_colours,
)

#: The server's default pixel limit.
LIMIT = Settings(data_dir=Path(".")).max_photo_pixels


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(x - y) < tolerance for x, y in zip(a, b))


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("draft", [True, False], ids=["draft", "full-decode"])
def test_every_exif_orientation_comes_out_upright(orientation: int, draft: bool) -> None:
    processed = process_photo(oriented_jpeg(orientation), max_pixels=LIMIT, draft=draft)
    assert (processed.width, processed.height) == (240, 160)
    for name, variant in (("display", processed.display), ("thumb", processed.thumb)):
        image = Image.open(io.BytesIO(variant))
        assert image.size == (240, 160), name
        assert not image.getexif(), f"{name} still says which way up it was"
        colours = quadrant_colours(image)
        for corner, expected in QUADRANTS.items():
            assert close(colours[corner], expected), f"orientation {orientation}, {name}: {corner} is {colours[corner]}"


def test_a_big_photo_is_shrunk_to_1600_and_320_on_the_long_edge() -> None:
    processed = process_photo(jpeg(picture((4000, 3000))), max_pixels=LIMIT)
    assert Image.open(io.BytesIO(processed.display)).size == (DISPLAY_EDGE, 1200)
    assert Image.open(io.BytesIO(processed.thumb)).size == (THUMB_EDGE, 240)
    assert (processed.width, processed.height) == (4000, 3000)


@pytest.mark.parametrize("fmt, mode, content_type", [
    ("PNG", "RGB", "image/png"), ("PNG", "RGBA", "image/png"), ("PNG", "P", "image/png"),
    ("PNG", "L", "image/png"), ("PNG", "I;16", "image/png"), ("WEBP", "RGB", "image/webp"),
    ("WEBP", "RGBA", "image/webp"), ("JPEG", "L", "image/jpeg"), ("JPEG", "CMYK", "image/jpeg"),
])
def test_png_webp_and_jpeg_of_every_common_kind_are_accepted(fmt: str, mode: str, content_type: str) -> None:
    image = picture((300, 200)).convert(mode) if mode != "I;16" else picture((300, 200)).convert("L").convert("I;16")
    processed = process_photo(encode(image, fmt), max_pixels=LIMIT)
    assert processed.content_type == content_type
    display = Image.open(io.BytesIO(processed.display))
    assert (display.format, display.mode, display.size) == ("JPEG", "RGB", (300, 200))


def test_transparency_becomes_white_not_black() -> None:
    clear = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    display = Image.open(io.BytesIO(process_photo(encode(clear, "PNG"), max_pixels=LIMIT).display))
    assert close(display.getpixel((50, 50)), (255, 255, 255), 5)


def test_embedded_colour_profiles_are_applied_then_dropped() -> None:
    image = picture((200, 100))
    with_profile = process_photo(encode(image, "PNG", icc_profile=_srgb_profile()), max_pixels=LIMIT)
    display = Image.open(io.BytesIO(with_profile.display))
    assert "icc_profile" not in display.info
    # An sRGB profile converted to sRGB leaves the colours as they were.
    assert close(display.getpixel((150, 50)), image.getpixel((150, 50)), 25)


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.mark.parametrize("name", list(hostile_files()))
def test_hostile_files_are_not_accepted(name: str) -> None:
    with pytest.raises(NotAcceptedImage):
        process_photo(hostile_files()[name], max_pixels=LIMIT)


@pytest.mark.parametrize("warning_filter", [
    # As in the server: the warning raised as an error inside Image.open.
    pytest.param("error", marks=pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")),
    # Someone reset the warning filters: the explicit check in process_photo still refuses.
    pytest.param("ignore", marks=pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")),
])
def test_pillows_bomb_warning_is_an_error_even_without_our_own_limit(warning_filter: str) -> None:
    # 10,000 × 10,000 is over Pillow's warning threshold (~89M pixels) but under its hard error (~179M):
    # with our own pixel limit out of the way, this is what stands between it and a 300 MB decode.
    with pytest.raises(NotAcceptedImage, match="far more pixels"):
        process_photo(png_declaring(10_000, 10_000), max_pixels=10**12)


def test_absurd_shapes_are_refused_even_within_the_pixel_limit() -> None:
    with pytest.raises(NotAcceptedImage):
        process_photo(png_declaring(30_000, 2), max_pixels=LIMIT)


def test_the_pixel_limit_is_checked_before_decoding() -> None:
    with pytest.raises(NotAcceptedImage, match="more than this server accepts"):
        process_photo(jpeg(picture((400, 300))), max_pixels=400 * 300 - 1)


def test_comments_and_trailing_bytes_do_not_reach_the_variants() -> None:
    data = phone_photo() + b"TRAILING-SECRET" * 10
    processed = process_photo(data, max_pixels=LIMIT)
    for variant in (processed.display, processed.thumb):
        assert b"TRAILING-SECRET" not in variant
        assert b"Larkspur" not in variant
