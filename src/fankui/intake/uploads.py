"""What intake makes of an upload before keeping it (``services.check_uploads`` calls these; every channel and the
actions' evidence go through it).

A picture is decoded and encoded again, so that only its pixels are kept: a phone's photo carries where it was taken
(EXIF GPS: often the submitter's home), the camera and its serial number, the time, sometimes a thumbnail of the
uncropped picture, and text chunks (XMP) may repeat all of it. The orientation is applied to the pixels first, so
the picture stands as it did. Only when the submitter chose to share the photos' location is the GPS block kept,
alone. A PDF is read with a real parser (pypdf): a file that merely starts with ``%PDF-`` is not a PDF.
"""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import ExifTags, Image, ImageOps, ImageSequence
from pypdf import PdfReader
from pypdf.errors import PyPdfError

log = logging.getLogger(__name__)

# Pillow's format names of the pictures intake accepts (``services.IMAGE_FORMATS``).
# What a frame keeps of Pillow's ``info``: how it is drawn, nothing about where or by what it was taken.
DRAWING = ("transparency", "duration", "loop", "background", "icc_profile")
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 90},
    "WEBP": {"quality": 90},
    "PNG": {},
    "GIF": {},
}


class Unreadable(Exception):
    """The file cannot be read as what it claims to be."""


class TooLarge(Unreadable):
    """The picture would decode to more pixels than ``pixel_budget`` (a decompression bomb, or simply too big)."""


def pixel_budget() -> int:
    """The most pixels a picture may decode to, all its frames together: what Pillow accepts for one picture
    before it refuses it as a decompression bomb (twice ``Image.MAX_IMAGE_PIXELS``). Pillow checks each frame
    alone, and decodes every frame of an animation to the whole canvas: a GIF of a few kilobytes with a 6000 x 6000
    canvas and a thousand one-pixel frames would take tens of gigabytes to copy."""
    return 2 * (Image.MAX_IMAGE_PIXELS or 0) or 2**62


def _check_size(image: Image.Image) -> None:
    """Raises ``Unreadable`` before any pixel is decoded when the picture would decode to more than the budget."""
    frames = getattr(image, "n_frames", 1)
    if image.width * image.height * frames > pixel_budget():
        raise TooLarge(f"{image.width}x{image.height} pixels in {frames} frames")


def _bare(frame: Image.Image) -> Image.Image:
    """A copy of ``frame`` with nothing of its ``info`` but how to draw it."""
    copy = frame.copy()
    copy.info = {key: value for key, value in frame.info.items() if key in DRAWING}
    return copy


def _location_only(image: Image.Image) -> bytes:
    """An EXIF block holding only the picture's GPS position (empty when it has none)."""
    gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    if not gps:
        return b""
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = dict(gps)
    return exif.tobytes()


def clean_image(upload: UploadedFile, keep_location: bool) -> ContentFile:
    """The picture encoded again in its own format without metadata (the GPS position kept alone when the
    submitter chose to share it). Raises ``Unreadable`` when its pixels cannot be decoded."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format or ""
            if kind not in SAVE_OPTIONS:
                raise Unreadable(kind)
            _check_size(image)
            options: dict[str, object] = dict(SAVE_OPTIONS[kind])
            location = _location_only(image) if keep_location else b""
            if location:
                options["exif"] = location
            if getattr(image, "n_frames", 1) > 1:
                # An animation keeps its frames (an orientation tag is a photo's, not an animation's).
                frames = [_bare(frame) for frame in ImageSequence.Iterator(image)]
                first = frames[0]
                options.update(save_all=True, append_images=frames[1:])
            else:
                first = _bare(ImageOps.exif_transpose(image))
            out = io.BytesIO()
            first.save(out, kind, **options)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise Unreadable(str(error)) from error
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name=upload.name or "picture")


def check_pdf(upload: UploadedFile) -> None:
    """Raises ``Unreadable`` unless a PDF parser can read the document's pages (an encrypted one only if it opens
    without a password, as a viewer would)."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("password")
        if len(reader.pages) < 1:
            raise Unreadable("no pages")
        for page in reader.pages:
            page.get_contents()
    except Unreadable:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        # pypdf raises plain Python errors as well as its own on a damaged file.
        log.info("refused a PDF: %s", error)
        raise Unreadable(str(error)) from error
    finally:
        upload.seek(0)
