"""Planetoid and TUDataset map positionals to PyG's ``(root, name, ...)`` with one shared helper
(``datasets._base.positional_arguments``) and one wording for its errors."""
import pytest

from npgnn.datasets import Planetoid, TUDataset
from npgnn.datasets._base import positional_arguments

KEYS = ("split", "transform")


def is_name(v):
    return v in ("Cora", "CiteSeer")


@pytest.mark.parametrize("args, root, name, expected", [
    ((), "r", "Cora", ("r", "Cora", {})),
    (("Cora",), None, None, (None, "Cora", {})),              # npgnn's (name)
    (("Cora",), "r", None, ("r", "Cora", {})),                 # (name, root=...)
    (("r",), None, "Cora", ("r", "Cora", {})),                 # (root, name=...)
    (("r", "Cora"), None, None, ("r", "Cora", {})),            # PyG's order
    (("Cora", "r"), None, None, ("r", "Cora", {})),            # npgnn's (name, root): swapped
    (("Cora", "CiteSeer"), None, None, ("Cora", "CiteSeer", {})),  # both names: PyG's order
    (("r", "Cora", "full"), None, None, ("r", "Cora", {"split": "full"})),
    (("r", "Cora", "full", len), None, None, ("r", "Cora", {"split": "full", "transform": len})),
])
def test_mapping(args, root, name, expected):
    assert positional_arguments("X", args, root, name, KEYS, is_name) == expected


def test_without_a_name_test_two_positionals_are_never_swapped():
    assert positional_arguments("X", ("Cora", "r"), None, None, KEYS) == ("Cora", "r", {})


@pytest.mark.parametrize("owner, cls", [("Planetoid", Planetoid), ("TUDataset", TUDataset)])
@pytest.mark.parametrize("call, match", [
    (lambda c: c("root", name="x", root="y"), "got root both positionally and as root="),
    (lambda c: c("root", "x", root="y"), "got root/name both positionally and as keywords"),
    (lambda c: c("root", "x", name="y"), "got root/name both positionally and as keywords"),
    (lambda c: c(*range(20)), r"expected at most 9 positional arguments \(root, name, .*\), "
                              r"got 20"),
])
def test_both_datasets_share_one_wording(owner, cls, call, match):
    with pytest.raises(TypeError, match=rf"^{owner}: {match}"):
        call(cls)
