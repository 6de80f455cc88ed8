"""What any right CutMix draws from `rng`, as properties both the visible and the hidden checks
test (each with its own seeds), with the chance that a right answer fails them stated.

CutMix draws lam ~ Beta(alpha, alpha) and a centre (cy, cx) uniform over the pixels; the box is
`cut_h = int(H * sqrt(1 - lam))` rows by `cut_w = int(W * sqrt(1 - lam))` columns around the
centre (`centered_box`), clipped. On a 4 x 4 image two consequences are observable from the
result alone, whatever order or numpy call a right answer uses to draw:

* Nothing is pasted exactly when cut = int(4 * sqrt(1 - lam)) is 0, that is when lam > 15/16.
  That happens with probability 0.3048 at alpha = 0.2 (Beta(0.2, 0.2) piles up near 0 and 1),
  0.0625 if alpha is ignored and lam is uniform, and 0.00046 at alpha = 4. So the count of
  empty pastes in 400 draws tells whether alpha is used: a right answer has at least 55 at
  alpha = 0.2 (it fails with probability 1.6e-15) and at most 5 at alpha = 4 (4.3e-8); a
  uniform lam passes both with probability below 1e-6, a lam fixed at 0.5 never.
* A patch of exactly one pixel (cut = 1, when 0.75 < lam <= 0.9375: probability 0.1875 at
  alpha = 1) sits on the centre itself. So each row and each column is the centre of a
  one-pixel patch in a draw with probability 0.1875 / 4 = 0.047, and in 400 draws a right
  answer misses one of the 4 rows or 4 columns with probability below 8 * 0.953**400 < 4e-8.
  A centre that never reaches the last row or column, or one fixed at the image's centre,
  misses some every time.

tests/test_draws.py recomputes these figures with scipy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Box = tuple[int, int, int, int]

IMAGE = (4, 4)  # height, width of the image both properties use
ALPHA_DRAWS = 400
# alpha: (fewest, most) empty pastes a right answer gives in ALPHA_DRAWS draws.
EMPTY_PASTES = {0.2: (55, ALPHA_DRAWS), 4.0: (0, 5)}
EMPTY_PROBABILITY = {0.2: 0.3048, 1.0: 0.0625, 4.0: 0.00046}  # exact: tests/test_draws.py
CENTRE_ALPHA = 1.0
CENTRE_DRAWS = 400


def empty_pastes_problem(alpha: float, empty: int) -> str | None:
    """Why `empty` pastes out of ALPHA_DRAWS at `alpha` show that alpha is not used, or None."""
    fewest, most = EMPTY_PASTES[alpha]
    if fewest <= empty <= most:
        return None
    expected = EMPTY_PROBABILITY[alpha] * ALPHA_DRAWS
    return (
        f"at alpha = {alpha:g}, {empty} of {ALPHA_DRAWS} draws pasted nothing on a "
        f"{IMAGE[0]} x {IMAGE[1]} image; lam ~ Beta(alpha, alpha) gives about "
        f"{expected:.0f} (between {fewest} and {most})"
    )


ALPHA_HINT = (
    "draw lam = rng.beta(alpha, alpha): alpha shapes how big the patches are "
    "(small alpha: mostly tiny or huge patches; large alpha: lam near 0.5)."
)


def one_pixel_centre(box: tuple[int, int, int, int] | None) -> tuple[int, int] | None:
    """(row, column) of a one-pixel patch, which is its centre; None for any other box."""
    if box is None:
        return None
    top, bottom, left, right = box
    return (top, left) if (bottom - top, right - left) == (1, 1) else None


def centres_problem(centres: set[tuple[int, int]]) -> str | None:
    """Why the one-pixel patches seen show a centre that is not drawn over every pixel."""
    height, width = IMAGE
    rows = sorted(set(range(height)) - {row for row, _ in centres})
    columns = sorted(set(range(width)) - {column for _, column in centres})
    if not rows and not columns:
        return None
    missing = [f"row {r}" for r in rows] + [f"column {c}" for c in columns]
    return (
        f"in {CENTRE_DRAWS} draws on a {height} x {width} image at alpha = {CENTRE_ALPHA:g}, "
        f"no one-pixel patch (which sits on its centre) was in {', '.join(missing)}: "
        "the centre never reaches every row and column"
    )


LAM_FIXED_HINT = (
    "lam looks fixed (no draw ever pasted nothing): draw lam = rng.beta(alpha, alpha) in "
    "every call."
)
CENTRE_FIXED_HINT = "the patch is always in the same place: draw its centre at random."
CENTRE_HINT = (
    "draw cy = rng.integers(H) and cx = rng.integers(W): every row and column, the last "
    "ones included, can be the centre."
)


@dataclass
class Observed:
    """What a CutMix gave over the draws: empty pastes per alpha, one-pixel patch centres."""

    empty: dict[float, int] = field(default_factory=dict)
    centres: set[tuple[int, int]] = field(default_factory=set)

    def problem(self) -> tuple[str, str] | None:
        """(what is wrong, how to fix it), or None when both properties hold."""
        for alpha, empty in self.empty.items():
            found = empty_pastes_problem(alpha, empty)
            if found:
                return found, LAM_FIXED_HINT if self.lam_fixed else ALPHA_HINT
        found = centres_problem(self.centres)
        if found:
            return found, CENTRE_FIXED_HINT if self.centre_fixed else CENTRE_HINT
        return None

    @property
    def lam_fixed(self) -> bool:
        """No empty paste at any alpha: lam never goes near 1, as a fixed lam would not."""
        return not any(self.empty.values())

    @property
    def centre_never_last(self) -> bool:
        height, width = IMAGE
        rows = {row for row, _ in self.centres}
        columns = {column for _, column in self.centres}
        return bool(rows) and max(rows) < height - 1 and max(columns) < width - 1

    @property
    def centre_fixed(self) -> bool:
        return len(self.centres) <= 1


def draw_keys(first_seed: int = 0) -> list[tuple[float, int]]:
    """(alpha, seed) of every draw both properties need, in the order they are made."""
    keys = [(alpha, first_seed + k) for alpha in EMPTY_PASTES for k in range(ALPHA_DRAWS)]
    return keys + [(CENTRE_ALPHA, first_seed + k) for k in range(CENTRE_DRAWS)]


def observe(paste_box: Callable[[float, int], Box | None], first_seed: int = 0) -> Observed:
    """Run `paste_box(alpha, seed)` (the box a CutMix pasted on a 4 x 4 image, None when
    nothing was pasted) over the draws both properties need, in the order of draw_keys."""
    keys = draw_keys(first_seed)
    return observed_boxes(keys, [paste_box(alpha, seed) for alpha, seed in keys])


def observed_boxes(keys: list[tuple[float, int]], boxes: list[Box | None]) -> Observed:
    """What the boxes pasted in the draws of `keys` (from draw_keys) show."""
    seen = Observed()
    for alpha in EMPTY_PASTES:
        seen.empty[alpha] = 0
    sized = len(EMPTY_PASTES) * ALPHA_DRAWS  # the draws that count empty pastes come first
    for (alpha, _), box in zip(keys[:sized], boxes[:sized], strict=True):
        seen.empty[alpha] += box is None
    for box in boxes[sized:]:
        centre = one_pixel_centre(box)
        if centre is not None:
            seen.centres.add(centre)
    return seen
