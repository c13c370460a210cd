"""QR codes as inline SVG, with no imaging library."""

import io

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str) -> Markup:
    """Return an SVG QR code of *data*, ready to place in a page."""
    buffer = io.BytesIO()
    qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10).save(buffer)
    svg = buffer.getvalue().decode()
    return Markup(svg[svg.index("<svg") :])
