"""Test images, generated with Pillow at test time: photos with GPS, all eight orientations, and hostile files.

Nothing binary is committed: each function says exactly what its file is.
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import zlib

from PIL import ExifTags, Image, ImageCms, ImageDraw

#: Where the GPS fixture says the photo was taken (a made-up spot in London).
LATITUDE = (51.0, 32.0, 17.25)
LONGITUDE = (0.0, 4.0, 33.5)

#: Quadrant colours of the upright orientation pattern: top-left, top-right, bottom-left, bottom-right.
QUADRANTS = {"top_left": (220, 30, 30), "top_right": (30, 200, 30), "bottom_left": (30, 30, 220),
             "bottom_right": (240, 220, 20)}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def picture(size: tuple[int, int] = (800, 600), seed: int = 0) -> Image.Image:
    """A photo-like RGB picture with detail (so JPEG sizes are realistic); ``seed`` makes distinct pictures."""
    image = Image.effect_mandelbrot(size, (-2.0 + seed * 0.01, -1.2, 0.8, 1.2), 60).convert("RGB")
    ImageDraw.Draw(image).rectangle((10, 10, 60 + seed % 50, 40), fill=(200, 80, 20))
    return image


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: camera make and model, time, serial number, GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Model] = "Pocket 12"
    exif[ExifTags.Base.DateTime] = "2026:11:20 10:15:00"
    exif[ExifTags.Base.BodySerialNumber] = "SN-4417-0042"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: LONGITUDE,
    }
    return exif


def jpeg(image: Image.Image | None = None, *, exif: Image.Exif | None = None, quality: int = 88,
         comment: bytes | None = None, icc: bool = False) -> bytes:
    image = image or picture()
    params: dict = {"quality": quality}
    if exif is not None:
        params["exif"] = exif
    if comment is not None:
        params["comment"] = comment
    if icc:
        params["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", **params)
    return out.getvalue()


def phone_photo(seed: int = 0) -> bytes:
    """A JPEG as a phone takes it: GPS and camera EXIF, a comment and an ICC profile."""
    return jpeg(picture(seed=seed), exif=gps_exif(), comment=b"taken at 12 Larkspur House", icc=True)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def upright_pattern(size: tuple[int, int] = (240, 160)) -> Image.Image:
    """Four coloured quadrants, wider than tall: easy to tell how it was turned or flipped."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=QUADRANTS["top_left"])
    draw.rectangle((width // 2, 0, width - 1, height // 2 - 1), fill=QUADRANTS["top_right"])
    draw.rectangle((0, height // 2, width // 2 - 1, height - 1), fill=QUADRANTS["bottom_left"])
    draw.rectangle((width // 2, height // 2, width - 1, height - 1), fill=QUADRANTS["bottom_right"])
    return image


# What a camera does to the upright scene before writing the pixels, for each EXIF orientation: the inverse of
# what a viewer must do (EXIF 6 means "rotate 90° clockwise to view", so the sensor stored it 90° anticlockwise).
_STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def oriented_jpeg(orientation: int) -> bytes:
    """The upright pattern stored as a camera with this EXIF orientation stores it."""
    turn = _STORED_AS[orientation]
    stored = upright_pattern() if turn is None else upright_pattern().transpose(turn)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return jpeg(stored, exif=exif, quality=95)


def quadrant_colours(image: Image.Image) -> dict[str, tuple[int, int, int]]:
    width, height = image.size
    rgb = image.convert("RGB")
    return {
        "top_left": rgb.getpixel((width // 4, height // 4)),
        "top_right": rgb.getpixel((3 * width // 4, height // 4)),
        "bottom_left": rgb.getpixel((width // 4, 3 * height // 4)),
        "bottom_right": rgb.getpixel((3 * width // 4, 3 * height // 4)),
    }


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header claims ``width`` × ``height`` pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


@functools.cache
def real_png_bomb(width: int = 9000, height: int = 9000) -> bytes:
    """A genuine, fully decodable PNG of all-black pixels: 81 megapixels in well under a megabyte."""
    raw = zlib.compress(b"".join(b"\x00" + b"\x00" * width for _ in range(height)), 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", raw) + _png_chunk(b"IEND", b"")


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
       b'<script>alert(document.cookie)</script><rect width="100" height="100" fill="red"/></svg>\n')

TEXT_RENAMED_JPG = b"Meeting notes: bin store lights out again. Not a photo at all.\n"


@functools.cache
def hostile_files() -> dict[str, bytes]:
    """Each of these must be refused with a 4xx, whatever it is called or claims to be."""
    whole = jpeg()
    return {
        "text file renamed .jpg": TEXT_RENAMED_JPG,
        "truncated JPEG": whole[: len(whole) // 2],
        "decompression bomb (tiny PNG declaring 100000 x 100000)": png_declaring(100_000, 100_000),
        "decompression bomb (real 81-megapixel PNG)": real_png_bomb(),
        "SVG with a script": SVG,
        "TIFF": encode(picture((64, 48)), "TIFF"),
        "GIF": encode(picture((64, 48)), "GIF"),
        "BMP": encode(picture((64, 48)), "BMP"),
        "JPEG header then garbage": whole[:200] + b"\x00garbage" * 100,
        "empty-ish (two bytes)": b"\xff\xd8",
    }
