"""Metrics on plain arrays: classification (accuracy, macro-F1) and link prediction (ROC-AUC,
average precision, Hits@K, MRR)."""
from npgnn.metrics.classification import accuracy, macro_f1
from npgnn.metrics.link import average_precision, hits_at_k, link_ranks, mrr, roc_auc

__all__ = ["accuracy", "average_precision", "hits_at_k", "link_ranks", "macro_f1", "mrr", "roc_auc"]
