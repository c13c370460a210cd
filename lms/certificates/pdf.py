"""The certificate as an A4 PDF, in any language of the course, with its verification QR code."""

from pathlib import Path

import qrcode
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

from lms.certificates.models import Certificate

FONTS = Path(__file__).with_name("fonts")
BRAND = (29, 78, 137)
INK = (27, 31, 36)
MUTED = (74, 85, 98)


class _Page(FPDF):
    def __init__(self):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(25, 20, 25)
        self.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
        self.add_page()

    def line_of(self, text: str, size: float, style: str = "", color=INK, height: float | None = None) -> None:
        self.set_font("DejaVu", style, size)
        self.set_text_color(*color)
        self.multi_cell(0, height or size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def qr_code(self, data: str, x: float, y: float, size: float) -> None:
        code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(data)
        matrix = code.get_matrix()
        module = size / len(matrix)
        self.set_fill_color(*INK)
        for row, cells in enumerate(matrix):
            for column, dark in enumerate(cells):
                if dark:
                    self.rect(x + column * module, y + row * module, module, module, style="F")


def render(certificate: Certificate, language: str, verify_url: str) -> bytes:
    """Return the PDF of *certificate* with its texts in *language*."""
    config = current_app.config
    pdf = _Page()
    pdf.set_title(certificate.course_title(language))
    pdf.set_author(config["CERTIFICATE_ISSUER"])
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 271, 184)
    logo = config["CERTIFICATE_LOGO"]
    if logo and Path(logo).is_file():
        pdf.image(logo, x=25, y=20, h=18)
    else:
        pdf.set_fill_color(*BRAND)
        pdf.rect(25, 20, 14, 14, style="F", round_corners=True, corner_radius=2)
        pdf.set_xy(25, 22.5)
        pdf.set_font("DejaVu", "B", 16)
        pdf.set_text_color(255, 255, 255)
        pdf.cell(14, 9, "C", align="C")
    with force_locale(language):
        pdf.set_y(34)
        pdf.line_of(config["CERTIFICATE_ISSUER"], 12, color=MUTED)
        pdf.ln(4)
        pdf.line_of(_("Certificate of completion"), 30, "B", color=BRAND, height=16)
        pdf.ln(4)
        pdf.line_of(_("This certifies that"), 13, color=MUTED)
        pdf.ln(2)
        pdf.line_of(certificate.learner_name, 26, "B", height=14)
        if certificate.organisation_name:
            pdf.line_of(certificate.organisation_name, 13, color=MUTED)
        pdf.ln(3)
        pdf.line_of(_("has completed the course"), 13, color=MUTED)
        pdf.ln(2)
        pdf.line_of(certificate.course_title(language), 18, "B", height=10)
        pdf.ln(3)
        pdf.line_of(
            _(
                "Completed on %(date)s · learning time: %(hours)s h",
                date=format_date(certificate.completed_at, "long", locale=language),
                hours=format_decimal(certificate.hours, locale=language),
            ),
            12,
        )
        pdf.set_xy(25, 160)
        pdf.set_draw_color(*MUTED)
        pdf.line(25, 160, 110, 160)
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_text_color(*INK)
        pdf.cell(85, 7, config["CERTIFICATE_SIGNATORY"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(85, 5, config["CERTIFICATE_SIGNATORY_ROLE"], new_x="LMARGIN", new_y="NEXT")
        pdf.qr_code(verify_url, x=247, y=152, size=30)
        pdf.set_xy(120, 156)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(
            122,
            4.5,
            _("Anyone can check this certificate at %(url)s", url=verify_url),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_x(120)
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_text_color(*INK)
        pdf.multi_cell(122, 5, _("Code: %(code)s", code=certificate.code), align="R")
    return bytes(pdf.output())
