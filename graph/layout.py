"""Positions for the explorer's drawing, computed here so the browser only places them (a
force-directed layout in the page blocked the main thread for 1.5 s on a phone).

The centre sits at (0, 0) and its neighbours on rings around it. Each node takes the box its
shape and label take on screen at zoom 1, and is placed at the first angle of its ring where
that box touches no box already placed: labels never cover each other or a node, at any zoom.
The sizes below are the ones static/js/explorer.js draws with (graphStyle); change both.
"""

import math

# kind -> (width, height) of the node's shape.
NODE_SIZE = {"person": (22, 22), "paper": (20, 16), "topic": (24, 24), "institution": (24, 22)}
CENTRE_SIZE = 46
FONT_PX, CENTRE_FONT_PX = 10, 13
# Longer labels end in an ellipsis (text-max-width); the full name is in the panel and the list.
LABEL_MAX_PX, CENTRE_LABEL_MAX_PX = 120, 200
LABEL_GAP, CENTRE_LABEL_GAP = 4, 6  # text-margin-y
OUTLINE = 2  # text-outline-width
# Room around each box for the selection border and a little air.
PAD = 5
UNLABELLED = {"paper"}

FIRST_RING = 84
RING_STEP = 44
# Rings are ellipses this much wider than tall: labels are wide and short, and a desktop canvas
# is wider than tall.
STRETCH = 1.4
ARC_STEP = 3  # how far along a ring (px) the next try for a node moves

# Advance widths in em of a wide sans-serif (DejaVu Sans, Chromium's fallback on Linux); a
# narrower system font only leaves more room.
_NARROW = set("il.,:;'!|Ijt()[]f ")
_WIDE = set("mwMW@%")


def text_width(text: str, font_px: float, *, bold: bool = False) -> float:
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.34
        elif char in _WIDE:
            em += 0.95
        elif char.isupper() or char.isdigit():
            em += 0.72
        else:
            em += 0.62
    return em * font_px * (1.1 if bold else 1.0)


def node_box(kind: str, label: str, *, centre: bool = False) -> tuple[float, float, float, float]:
    """The box around a node drawn at (0, 0): (left, top, right, bottom)."""
    if centre:
        width = height = CENTRE_SIZE
        font, limit, gap = CENTRE_FONT_PX, CENTRE_LABEL_MAX_PX, CENTRE_LABEL_GAP
    else:
        width, height = NODE_SIZE[kind]
        font, limit, gap = FONT_PX, LABEL_MAX_PX, LABEL_GAP
    half_w, bottom = width / 2, height / 2
    if label and (centre or kind not in UNLABELLED):
        label_w = min(text_width(label, font, bold=centre), limit) + 2 * OUTLINE
        half_w = max(half_w, label_w / 2)
        bottom += gap + 1.3 * font + 2 * OUTLINE
    return (-half_w - PAD, -height / 2 - PAD, half_w + PAD, bottom + PAD)


class _Boxes:
    """Placed boxes in a grid of cells, so a test looks only at its neighbours."""

    CELL = 64

    def __init__(self):
        self.cells: dict[tuple[int, int], list] = {}

    def _cells(self, box):
        left, top, right, bottom = box
        for i in range(math.floor(left / self.CELL), math.floor(right / self.CELL) + 1):
            for j in range(math.floor(top / self.CELL), math.floor(bottom / self.CELL) + 1):
                yield i, j

    def free(self, box, extra=()) -> bool:
        # A pixel of air, so rounding the positions sent cannot make two boxes touch.
        left, top, right, bottom = box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1
        for cell in self._cells(box):
            for other in self.cells.get(cell, ()):
                if left < other[2] and other[0] < right and top < other[3] and other[1] < bottom:
                    return False
        return not any(
            left < other[2] and other[0] < right and top < other[3] and other[1] < bottom
            for other in extra
        )

    def add(self, box) -> None:
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(box)


def _whole(box) -> list[int]:
    """The box in whole pixels, rounded outwards."""
    return [math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])]


def _moved(box, x, y):
    return (box[0] + x, box[1] + y, box[2] + x, box[3] + y)


def _ring(items, radius, start, min_step, boxes):
    """Places items in order along one ring from angle `start`, each at the first free angle at
    least min_step after the previous one. Returns the placed [(item, x, y, box)] and the rest."""
    placed, step, angle, end = [], ARC_STEP / radius, start, start + 2 * math.pi
    taken = []
    for index, (item, box) in enumerate(items):
        if placed:
            angle += max(step, min_step)
        while angle < end:
            x, y = STRETCH * radius * math.cos(angle), radius * math.sin(angle)
            moved = _moved(box, x, y)
            # The ring closes on itself: the last nodes must clear the first ones too.
            if boxes.free(moved, taken):
                break
            angle += step
        else:
            return placed, items[index:]
        taken.append(moved)
        placed.append((item, x, y, moved))
    return placed, []


def ring_layout(centre: dict, nodes: list[dict]) -> None:
    """Sets x and y on the centre (0, 0) and on every node, and `box`: how far left, up, right
    and down of its position the node and its label reach (so the page can fit the drawing
    without measuring text)."""
    centre["x"] = centre["y"] = 0
    boxes = _Boxes()
    # In whole pixels from the start, so the boxes sent are the ones kept apart.
    own = centre["box"] = _whole(node_box(centre["kind"], centre["label"], centre=True))
    boxes.add(own)
    # Labelled kinds near the middle, each kind in its own arc; unlabelled papers outside.
    order = sorted(nodes, key=lambda node: node["kind"] in UNLABELLED)
    waiting = [(node, _whole(node_box(node["kind"], node["label"]))) for node in order]
    for node, box in waiting:
        node["box"] = box
    radius, ring = FIRST_RING, 0
    while waiting:
        # Alternate rings start half a step apart, so their nodes do not line up radially.
        start = -math.pi / 2 + (ring % 2) * 0.5 * RING_STEP / radius
        placed, rest = _ring(waiting, radius, start, 0.0, boxes)
        if placed and not rest:
            # The last ring has room to spare: spread its nodes round it.
            min_step = 2 * math.pi / len(placed)
            while min_step > 0.01:
                spread, left = _ring(waiting, radius, start, min_step, boxes)
                if not left:
                    placed = spread
                    break
                min_step *= 0.85
        for node, x, y, box in placed:
            node["x"], node["y"] = round(x, 1), round(y, 1)
            boxes.add(box)
        waiting = rest
        radius += RING_STEP
        ring += 1
