"""The pictograms on the invitation letters, drawn with Pillow: no words needed to follow them.

1 open the camera, 2 point it at the QR code, 3 press Start in Telegram; a keyboard next to the
code for typing. Each takes a centre and a size in pixels and draws in black on white.
"""

from __future__ import annotations

import math

from PIL import ImageDraw

from bot.render.letter_text import LATIN_BOLD, font

INK, PAPER = 0, 255  # black on white only: the PDF is printed in black and white


def _w(size: float) -> int:
    return max(2, round(size / 22))


def camera(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float) -> None:
    w, h, line = size * 0.92, size * 0.6, _w(size)
    top = cy - h / 2 + size * 0.05
    hump = (cx - w * 0.2, top - size * 0.13, cx + w * 0.2, top + size * 0.05)
    draw.rounded_rectangle(hump, radius=size * 0.04, outline=INK, width=line, fill=PAPER)
    draw.rounded_rectangle((cx - w / 2, top, cx + w / 2, top + h), radius=size * 0.09,
                           outline=INK, width=line, fill=PAPER)
    lens_y = top + h / 2
    for r, fill in ((size * 0.2, PAPER), (size * 0.1, INK)):
        draw.ellipse((cx - r, lens_y - r, cx + r, lens_y + r), outline=INK, width=line,
                     fill=fill)
    dot = size * 0.035
    fx, fy = cx + w * 0.36, top + h * 0.2
    draw.ellipse((fx - dot, fy - dot, fx + dot, fy + dot), fill=INK)


def phone(draw: ImageDraw.ImageDraw, cx: float, cy: float,
          size: float) -> tuple[float, float, float, float]:
    """A phone seen from the front; returns its screen's box."""
    w, h, line = size * 0.56, size * 0.96, _w(size)
    box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    draw.rounded_rectangle(box, radius=size * 0.08, outline=INK, width=line, fill=PAPER)
    pad = size * 0.05
    return box[0] + pad, box[1] + pad * 2, box[2] - pad, box[3] - pad * 2


def scan(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float) -> None:
    """A phone whose camera frames a QR code: corner brackets around it and a scan line."""
    x0, y0, x1, y1 = phone(draw, cx, cy, size)
    side = (x1 - x0) * 0.6
    qx, qy = (x0 + x1) / 2 - side / 2, (y0 + y1) / 2 - side / 2
    cell = side / 9
    for fx, fy in ((0, 0), (6, 0), (0, 6)):  # the three finder squares everyone knows
        ox, oy = qx + fx * cell, qy + fy * cell
        draw.rectangle((ox, oy, ox + 3 * cell, oy + 3 * cell), fill=INK)
        draw.rectangle((ox + cell * 0.55, oy + cell * 0.55, ox + cell * 2.45, oy + cell * 2.45),
                       fill=PAPER)
        draw.rectangle((ox + cell, oy + cell, ox + 2 * cell, oy + 2 * cell), fill=INK)
    for c, r in ((4, 0), (4, 2), (3, 3), (5, 3), (7, 3), (4, 6), (6, 6), (8, 7), (4, 8),
                 (6, 8), (0, 3), (1, 3), (7, 5), (5, 5)):
        draw.rectangle((qx + c * cell, qy + r * cell, qx + (c + 1) * cell, qy + (r + 1) * cell),
                       fill=INK)
    gap, arm, line = side * 0.2, side * 0.3, max(2, round(side / 16))
    for sx, sy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        ex = qx - gap if sx == 0 else qx + side + gap
        ey = qy - gap if sy == 0 else qy + side + gap
        dx, dy = (arm if sx == 0 else -arm), (arm if sy == 0 else -arm)
        draw.line((ex, ey, ex + dx, ey), fill=INK, width=line)
        draw.line((ex, ey, ex, ey + dy), fill=INK, width=line)
    mid = qy + side / 2  # the scan line, across the middle row (which has no modules)
    draw.line((qx - gap, mid, qx + side + gap, mid), fill=INK, width=line)


def start(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float) -> None:
    """A phone with Telegram's wide Start button at the bottom, and a fingertip pressing it."""
    x0, y0, x1, y1 = phone(draw, cx, cy, size)
    line = _w(size)
    for i in range(3):  # the chat above the button: a few message bubbles
        top = y0 + size * (0.04 + 0.12 * i)
        left, right = (x0 + size * 0.02, x1 - size * 0.12) if i != 1 else (
            x0 + size * 0.12, x1 - size * 0.02)
        draw.rounded_rectangle((left, top, right, top + size * 0.075), radius=size * 0.03,
                               outline=INK, width=max(1, line // 2))
    button = (x0 + size * 0.01, y1 - size * 0.28, x1 - size * 0.01, y1 - size * 0.14)
    draw.rounded_rectangle(button, radius=size * 0.03, fill=INK)
    label = font(LATIN_BOLD, round(size * 0.075))
    draw.text(((button[0] + button[2]) / 2 - size * 0.05, (button[1] + button[3]) / 2),
              "START", fill=PAPER, font=label, anchor="mm")
    tx, ty = button[2] - size * 0.06, (button[1] + button[3]) / 2  # where the finger presses
    for angle in (-160, -125, -90):  # short strokes around the fingertip: "press here"
        a = math.radians(angle)
        r0, r1 = size * 0.11, size * 0.17
        draw.line((tx + r0 * math.cos(a), ty + r0 * math.sin(a), tx + r1 * math.cos(a),
                   ty + r1 * math.sin(a)), fill=INK, width=line)
    w, line = size * 0.17, max(2, line * 2 // 3)  # a hand: the index finger on the button
    fist = (tx - w * 0.55, ty + size * 0.16, tx + w * 1.9, ty + size * 0.4)
    draw.rounded_rectangle(fist, radius=size * 0.09, fill=PAPER, outline=INK, width=line)
    for k in (1.0, 1.45):  # the folded fingers
        kx = tx + w * k
        draw.line((kx, fist[1] + line, kx, fist[1] + size * 0.07), fill=INK, width=line)
    finger = (tx - w / 2, ty - size * 0.01, tx + w / 2, ty + size * 0.3)
    draw.rounded_rectangle(finger, radius=w / 2, fill=PAPER, outline=INK, width=line)


def keyboard(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float) -> None:
    w, h, line = size, size * 0.62, _w(size)
    x0, y0 = cx - w / 2, cy - h / 2
    draw.rounded_rectangle((x0, y0, x0 + w, y0 + h), radius=size * 0.08, outline=INK,
                           width=line)
    key, gap = w * 0.1, w * 0.035
    for row in range(3):
        keys = 7 if row < 2 else 0
        y = y0 + gap * 2 + row * (key + gap)
        for k in range(keys):
            x = x0 + gap * 2.2 + k * (key + gap)
            draw.rectangle((x, y, x + key, y + key * 0.8), fill=INK)
    y = y0 + gap * 2 + 2 * (key + gap)
    draw.rectangle((x0 + w * 0.25, y, x0 + w * 0.75, y + key * 0.8), fill=INK)  # space bar


def badge(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float, number: int) -> None:
    """The step's number in a black circle."""
    r = size / 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=INK)
    draw.text((cx, cy), str(number), fill=PAPER, font=font(LATIN_BOLD, round(size * 0.68)),
              anchor="mm")


def arrow(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float) -> None:
    """A chevron pointing to the next step."""
    h = size / 2
    draw.polygon([(cx - h * 0.5, cy - h), (cx + h * 0.6, cy), (cx - h * 0.5, cy + h),
                  (cx - h * 0.1, cy)], fill=INK)
