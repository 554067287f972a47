"""Checking uploaded bytes are a photo we accept, and making the variants other people see.

Everything here is synchronous and CPU-bound: the server runs it in a worker process with a memory ceiling
(``workers.py``), never on the event loop.

The rules, and why:
- The format is decided from the bytes alone, among JPEG, PNG and WebP. The name and the client's Content-Type
  are never consulted, so an SVG, a TIFF or a PostScript file renamed ``.jpg`` is refused before any decoder for
  it runs. HEIC is not accepted: the phone app always re-encodes to JPEG before upload, and another native
  decoder would only widen what a hostile file can reach.
- The declared dimensions are checked before a single pixel is decoded (a 100-byte PNG can declare
  100,000 × 100,000 pixels), and the whole image is then decoded once, so a truncated file is refused too.
- The variants are built from pixel data only: no EXIF (GPS, camera serial, time), XMP, ICC profile, comments or
  trailing bytes survive. The EXIF orientation is applied, so every variant is upright.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms

log = logging.getLogger("estatewalk.photos")

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: Long edge of the variant shown on an issue page, and of the thumbnail in lists.
DISPLAY_EDGE = 1600
THUMB_EDGE = 320
DISPLAY_QUALITY = 82
THUMB_QUALITY = 75
#: Even within the pixel limit, refuse absurd shapes (a 1 × 40,000,000 strip is no photo).
MAX_EDGE = 20_000
#: Bump when the variants change, so their ETags change too.
PIPELINE_VERSION = "1"

_EXIF_ORIENTATION = 0x0112

# A process-wide filter, installed once here: changing warning filters per call is not thread-safe, and this
# module is the only place the server opens images. Pillow warns (rather than fails) between its default
# limit and twice that; a warning we never see would let such an image through.
warnings.simplefilter("error", Image.DecompressionBombWarning)


class NotAcceptedImage(ValueError):
    """The bytes are not a JPEG, PNG or WebP photo we are willing to decode; the message says why."""


@dataclass(frozen=True)
class ProcessedPhoto:
    content_type: str
    width: int
    """Upright width of the original, in pixels."""
    height: int
    display: bytes
    thumb: bytes


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process_photo(data: bytes, *, max_pixels: int, draft: bool = True) -> ProcessedPhoto:
    """Validate ``data`` as an accepted image and make its display and thumbnail variants (JPEG, no metadata).

    Raises ``NotAcceptedImage`` for anything else: another format, a truncated or corrupt file, too many pixels.
    ``draft`` lets libjpeg decode at a reduced scale when the result is going to be shrunk anyway; the benchmark
    (bench/photo_processing.py) measures what it saves.
    """
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            fmt = image.format or ""
            width, height = image.size
            # The same test as Pillow's warning, made here too: a warnings filter can be reset by anything in
            # the process (a test runner does it per test), this line cannot.
            if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{width} × {height} pixels")
            if width < 1 or height < 1 or width * height > max_pixels or max(width, height) > MAX_EDGE:
                raise NotAcceptedImage(f"{width} × {height} pixels is more than this server accepts "
                                       f"({max_pixels:,} pixels at most)")
            orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
            if draft and fmt == "JPEG":
                image.draft("RGB", _draft_box(width, height, DISPLAY_EDGE))
            icc_profile = image.info.get("icc_profile")
            # Decode every pixel now: a truncated or corrupt file fails here, not half-way through a variant.
            image.load()
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        # Shrink first, flatten after: compositing transparency onto white at full size would cost two more
        # full-size copies (hundreds of MB for a big PNG); at 1600 px it costs nothing.
        display = _resizable(image)
        display.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE), Image.Resampling.LANCZOS)
        display = _flatten(display)
        # Turned after shrinking (the bounding box is square, so the size comes out the same): rotating 2 million
        # pixels instead of 12 million saves time and a full-size copy in memory.
        display = _to_srgb(_upright(display, orientation), icc_profile)
        thumb = display.copy()
        thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    except NotAcceptedImage:
        raise
    except Exception as error:  # noqa: BLE001 - any failure on untrusted bytes means "not accepted", never a 500
        log.info("photo refused: %r", error)
        raise NotAcceptedImage(_describe(error)) from None
    return ProcessedPhoto(
        content_type=CONTENT_TYPES[fmt], width=width, height=height,
        display=_encode_clean(display, DISPLAY_QUALITY), thumb=_encode_clean(thumb, THUMB_QUALITY),
    )


# What a viewer must do to the stored pixels for each EXIF orientation: the table ImageOps.exif_transpose uses.
_TO_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(image: Image.Image, orientation: object) -> Image.Image:
    turn = _TO_UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(turn) if turn is not None else image


def _draft_box(width: int, height: int, edge: int) -> tuple[int, int]:
    """The smallest size the JPEG decoder may scale to and still leave ``edge`` pixels on the long side.

    ``draft`` keeps both sides at least as large as asked, so asking for ``(edge, edge)`` would decode a 4:3
    photo at full size; asking for the target's own aspect ratio lets it scale by 1/2, 1/4 or 1/8.
    """
    scale = min(1.0, edge / max(width, height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _resizable(image: Image.Image) -> Image.Image:
    """A mode Pillow resizes smoothly: 8-bit RGB, RGBA, L or LA. Palettes would be resized nearest-neighbour."""
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    if image.mode in ("PA",) or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    if image.mode.startswith("I"):
        # 16-bit greyscale PNG: scale to 8 bits rather than clip everything above 255 to white.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """Plain 8-bit RGB: transparency onto white (JPEG has none), grey to RGB."""
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert colours from the photo's embedded profile to sRGB, since the profile itself is dropped.

    Phones often tag photos Display P3; without this they look washed out once the profile is gone. A profile
    that cannot be read (or does not describe RGB) is ignored: the pixels are then shown as sRGB.
    """
    if not icc_profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except Exception:  # noqa: BLE001 - a bad profile only costs colour accuracy
        return image
    return converted if converted is not None else image


def _encode_clean(image: Image.Image, quality: int) -> bytes:
    # A new image from the raw pixels carries no ``info`` at all, so no encoder can copy EXIF, XMP, ICC or a
    # comment across, whatever its defaults (Pillow's PNG and WebP writers do keep an ICC profile from info).
    clean = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, progressive=True)
    return out.getvalue()


def _describe(error: Exception) -> str:
    if isinstance(error, Image.UnidentifiedImageError):
        return "not a JPEG, PNG or WebP image"
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return "the image declares far more pixels than a photo has"
    if isinstance(error, MemoryError):
        return "the image is too large to process"
    if isinstance(error, (OSError, SyntaxError, EOFError)) and "truncated" in str(error).lower():
        return "the image is truncated"
    return "the image could not be decoded"
