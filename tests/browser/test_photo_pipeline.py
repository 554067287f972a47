"""Journey: a resident's phone photo, taken sideways with GPS in its EXIF, becomes an upright 2048 px JPEG on
the phone, with no location or camera metadata left in the bytes that will be sent."""

import io

import pytest

pytestmark = pytest.mark.browser


def sideways_photo_with_gps(path):
    from PIL import Image

    # Stored 4000×3000 but marked "rotate 90° clockwise to view" (EXIF orientation 6), as phones do when held
    # upright; GPS says where it was taken, which must never leave the phone.
    image = Image.new("RGB", (4000, 3000), (200, 60, 60))
    image.paste((60, 60, 200), (0, 0, 4000, 300))  # a blue band along the stored top edge
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 0.0)
    gps[3] = "W"
    gps[4] = (0.0, 5.0, 0.0)
    image.save(path, "JPEG", quality=90, exif=exif)
    return path


def test_sideways_photo_is_stored_upright_downscaled_and_without_metadata(open_phone, tmp_path):
    from PIL import Image

    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    phone.set_offline(True)
    phone.report_defect(
        title="Cracked paving slab by the entrance",
        category="hard_landscape",
        photos=[sideways_photo_with_gps(tmp_path / "sideways.jpg")],
    )
    [attach] = [m["args"] for m in phone.stored("outbox") if m["name"] == "photo.attach"]
    assert (attach["width"], attach["height"]) == (1536, 2048), "upright: portrait, long edge 2048"

    stored = phone.stored_photo_bytes(attach["sha256"])
    assert len(stored) == attach["byte_size"]
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (1536, 2048)
    assert not image.getexif(), "no EXIF (orientation, camera, GPS) may survive on the phone"
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    # The blue band that was along the stored top edge is now on the right: the pixels were turned, not tagged.
    right_edge = image.convert("RGB").getpixel((1530, 1000))
    left_edge = image.convert("RGB").getpixel((5, 1000))
    assert right_edge[2] > 150 and right_edge[0] < 120
    assert left_edge[0] > 150
