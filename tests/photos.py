"""A phone camera's photo, made up: what the photo tests and the field-journey bench send.

A 12-megapixel JPEG (4000 × 3000 stored pixels, ~2.8 MB) whose EXIF says "rotate 90°
clockwise to view" (Orientation 6), as a phone held upright writes it: the sensor's
landscape pixels plus a tag. Noise over two gradients keeps the file as large as a real
photo's (a flat image would compress to almost nothing). A red square sits in the stored
top-left corner, so an upright view shows it top right: where it ends up tells whether
the orientation was applied.
"""

import io

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 4000, 3000
MARKER = 400
RED = (255, 0, 0)
ORIENTATION_TAG = 0x0112
ROTATE_90_CLOCKWISE = 6


def phone_photo() -> bytes:
    """The JPEG's bytes (new noise each call; the size stays within a few kB)."""
    across = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    down = across.rotate(90).resize((WIDTH, HEIGHT))
    noise = Image.effect_noise((WIDTH, HEIGHT), 14)
    image = Image.merge("RGB", (Image.blend(across, noise, 0.5), Image.blend(down, noise, 0.5), noise))
    ImageDraw.Draw(image).rectangle((0, 0, MARKER - 1, MARKER - 1), fill=RED)
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = ROTATE_90_CLOCKWISE
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()
