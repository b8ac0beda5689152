"""A PDF of black-and-white page images, written one page at a time.

Pillow's own PDF writer keeps every page in memory until the end (a building of 430 homes at
300 dpi would take gigabytes) and stores greyscale as JPEG (grey smudges around text and QR
modules). Here each page is one 1-bit image, Flate-compressed (lossless: a page of text is
about 60 kB), written as soon as it is drawn; the page tree and cross-reference table follow at
the end (PDF 1.4, ISO 32000-1 section 7.5).
"""

from __future__ import annotations

import zlib
from typing import BinaryIO

from PIL import Image


class PdfPages:
    def __init__(self, out: BinaryIO, dpi: int) -> None:
        self.out, self.dpi = out, dpi
        self.offsets: dict[int, int] = {}
        self.pages: list[int] = []
        self.next = 3  # 1: catalog, 2: page tree (written last)
        self.start = out.tell()
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.out.tell() - self.start
        self.out.write(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self.out.write(b"\nstream\n" + stream + b"\nendstream")
        self.out.write(b"\nendobj\n")

    def _reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def add(self, page: Image.Image) -> None:
        """One page: the image fills it (its size in pixels at `dpi` is the paper size)."""
        bits = page.convert("1") if page.mode != "1" else page
        width, height = bits.size
        w_pt, h_pt = width * 72 / self.dpi, height * 72 / self.dpi
        data = zlib.compress(bits.tobytes(), 6)  # rows of packed bits, 1 = white as in PDF
        image, content, number = self._reserve(), self._reserve(), self._reserve()
        self._object(image, b"<< /Type /XObject /Subtype /Image /Width %d /Height %d "
                            b"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode "
                            b"/Length %d >>" % (width, height, len(data)), data)
        draw = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        self._object(content, b"<< /Length %d >>" % len(draw), draw)
        self._object(number, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
                             b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                     % (w_pt, h_pt, image, content))
        self.pages.append(number)

    def close(self) -> None:
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        kids = b" ".join(b"%d 0 R" % n for n in self.pages)
        self._object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.pages)))
        xref = self.out.tell() - self.start
        size = self.next
        self.out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for n in range(1, size):
            self.out.write(b"%010d 00000 n \n" % self.offsets[n])
        self.out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                       % (size, xref))
