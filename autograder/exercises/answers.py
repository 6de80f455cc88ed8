"""Right answers to the course's multiple-choice questions, with the feedback learners see.

Instructor-only, like the rest of `autograder`: learners never receive this file. Each
question id is the name of the answer variable in its notebook:

    cutout_purpose    01_cutout.ipynb             What is Cutout for?
    cutmix_vs_cutout  02_cutmix.ipynb             How does CutMix differ from Cutout?
    cutmix_effect     02_cutmix.ipynb             What does CutMix typically buy you?
    snippet_bug       03_reversed_ratio_bug.ipynb Why is the label snippet wrong?
    paired_why        04_measuring_the_effect.ipynb Why compare methods seed by seed?

Each explanation says why the right option is right and what is wrong with the most
tempting wrong one; it is shown in the learner's feedback whatever they answered.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """The right option of one question and why, as shown to the learner."""

    letter: str  # one of "A", "B", "C", "D"
    explanation: str  # 2-3 sentences for the feedback


ANSWERS: dict[str, Answer] = {
    "cutout_purpose": Answer(
        letter="B",
        explanation=(
            "Cutout hides a random square so the network cannot rely on any single region: it "
            "learns from the whole object and its context, becomes more robust to occlusion and "
            "overfits less, much like dropout applied to a contiguous region of the input. "
            "A is tempting but describes a targeted variant: Cutout places its square at random "
            "and never looks at the network's activations. D describes CutMix; Cutout keeps the "
            "label unchanged."
        ),
    ),
    "cutmix_vs_cutout": Answer(
        letter="D",
        explanation=(
            "CutMix fills the cut region with the same region of another training image and "
            "mixes the labels by the area each image covers: label1 keeps 1 - patch_ratio, "
            "label2 gets patch_ratio. C is tempting, but keeping the original label would teach "
            "the network that the pasted pixels belong to the first image's class; the label "
            "must follow the pixels. B describes Mixup, which blends the whole images."
        ),
    ),
    "cutmix_effect": Answer(
        letter="A",
        explanation=(
            "The papers report small but consistent gains in clean accuracy (ImageNet ResNet-50 "
            "top-1 error 23.68% to 21.40%; CIFAR-100 PyramidNet-200 16.45% to 14.47%) and larger "
            "gains in robustness to occlusion and in localising objects. C overclaims: pairing "
            "images does not make the training set N^2 times more informative, and the error "
            "drops by one to two points, not by half."
        ),
    ),
    "snippet_bug": Answer(
        letter="C",
        explanation=(
            "label1 belongs to the image that receives the patch and keeps 1 - patch_ratio of "
            "its pixels, so it must get the weight 1 - patch_ratio; the snippet swaps the "
            "weights and returns [0.3, 0.7, 0] where [0.7, 0.3, 0] is right. B is tempting but "
            "false: the swapped weights still add up to 1, which is exactly why the bug raises "
            "no error and passes a sum-to-one check."
        ),
    ),
    "paired_why": Answer(
        letter="B",
        explanation=(
            "Which split and which initial weights a seed gives moves every method up or down "
            "together; the difference between two methods on the same seed cancels that shared "
            "spread, so a small gain that holds on almost every seed shows, even where the "
            "methods' mean ± std ranges overlap. D is tempting but false: the mean of the paired "
            "differences equals the difference of the means, so pairing does not enlarge the "
            "gain, it only shrinks its error bar. A is false too: the paired differences still "
            "vary from seed to seed, which is why the gain gets a standard deviation and a win "
            "count."
        ),
    ),
}
