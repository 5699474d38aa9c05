"""The explorer's server-side positions: no node's box (its shape and label) touches another's,
whatever the labels, and the answer says where each box reaches."""

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from graph.layout import LABEL_MAX_PX, node_box, ring_layout, text_width

KINDS = ("person", "paper", "topic", "institution")


def placed_boxes(centre, nodes):
    return [
        (node["label"], (node["x"] + left, node["y"] + top, node["x"] + right, node["y"] + bottom))
        for node in [centre, *nodes]
        for left, top, right, bottom in [node["box"]]
    ]


def overlapping(boxes):
    return [
        (a, b)
        for (a, (l1, t1, r1, b1)), (b, (l2, t2, r2, b2)) in combinations(boxes, 2)
        if l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1
    ]


labels = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=90
)


@given(
    st.lists(st.tuples(st.sampled_from(KINDS), labels), max_size=120),
    st.sampled_from(KINDS),
)
def test_no_two_boxes_overlap(neighbours, centre_kind):
    centre = {"kind": centre_kind, "label": "Jascha Sohl-Dickstein"}
    nodes = [{"kind": kind, "label": label} for kind, label in neighbours]

    ring_layout(centre, nodes)

    assert (centre["x"], centre["y"]) == (0, 0)
    assert overlapping(placed_boxes(centre, nodes)) == []


def test_a_full_neighbourhood_is_placed_and_its_boxes_are_the_ones_used():
    centre = {"kind": "person", "label": "Jascha Sohl-Dickstein"}
    nodes = [
        {"kind": KINDS[index % 4], "label": f"Someone With A Fairly Long Name {index}"}
        for index in range(400)
    ]

    ring_layout(centre, nodes)

    assert overlapping(placed_boxes(centre, nodes)) == []
    for node in nodes:
        left, top, right, bottom = node_box(node["kind"], node["label"])
        assert node["box"][0] <= left and node["box"][2] >= right
        assert node["box"][1] <= top and node["box"][3] >= bottom


def test_long_labels_take_the_width_of_their_ellipsis_and_papers_none():
    long_name = "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent"
    assert text_width(long_name, 10) > LABEL_MAX_PX
    left, _, right, _ = node_box("topic", long_name)
    assert right - left < LABEL_MAX_PX + 20
    # A paper is drawn without its title, which the panel and the list give.
    left, top, right, bottom = node_box("paper", long_name)
    assert right - left < 40 and bottom - top < 40
