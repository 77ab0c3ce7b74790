"""Functions on ``edge_index`` (PyG's ``torch_geometric.utils``)."""
from npgnn.utils.negative_sampling import batched_negative_sampling, negative_sampling

__all__ = ["batched_negative_sampling", "negative_sampling"]
