"""Pinned sizes and sha256 digests of the raw dataset files npgnn knows.

Keys are paths relative to a dataset root laid out like the cache: ``planetoid/ind.<name>.<part>``
and ``tu/<NAME>/<NAME>_<part>.txt``. Values are ``(size in bytes, sha256 hex digest)``.

Source: the SHA256SUMS.tsv that accompanies the reference copies of the Planetoid release files
(the files PyTorch Geometric downloads) and of the TU Dortmund text files. ``ind.pubmed.allx``
was pinned from the same release notes (7,578,385 bytes). Every raw file listed here is verified
before it is parsed, wherever it was read from.
"""
from __future__ import annotations

CHECKSUMS: dict[str, tuple[int, str]] = {
    "planetoid/ind.citeseer.allx":
        (595021, "2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668"),
    "planetoid/ind.citeseer.ally":
        (55623, "f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95"),
    "planetoid/ind.citeseer.graph":
        (61987, "d79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7"),
    "planetoid/ind.citeseer.test.index":
        (5000, "2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4"),
    "planetoid/ind.citeseer.tx":
        (260321, "539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21"),
    "planetoid/ind.citeseer.ty":
        (24135, "55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce"),
    "planetoid/ind.citeseer.x":
        (31087, "d20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6"),
    "planetoid/ind.citeseer.y":
        (3014, "8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924"),
    "planetoid/ind.cora.allx":
        (257305, "9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543"),
    "planetoid/ind.cora.ally":
        (47959, "2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71"),
    "planetoid/ind.cora.graph":
        (59847, "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d"),
    "planetoid/ind.cora.test.index":
        (5000, "297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875"),
    "planetoid/ind.cora.tx":
        (148025, "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a"),
    "planetoid/ind.cora.ty":
        (28135, "41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad"),
    "planetoid/ind.cora.x":
        (22119, "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab"),
    "planetoid/ind.cora.y":
        (4054, "94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1"),
    "planetoid/ind.pubmed.allx":
        (7578385, "508e538e2abdccdd54c4d3e9f49d638b4af7107d85845f66ddea5a5152658b7e"),
    "planetoid/ind.pubmed.ally":
        (224739, "0c37bbe3b5014ec365e9d393cf4791925e5ed94fb194305d74f064a8d7b50f0e"),
    "planetoid/ind.pubmed.graph":
        (471808, "5b89f0036ca22909471f1e6558eb42fa06e0c730a577bde5b058b40638f81dc9"),
    "planetoid/ind.pubmed.test.index":
        (6000, "b101d421688bbaecbd82e8a18f1e282378d6830f3a37666f28ebc47f844341b5"),
    "planetoid/ind.pubmed.tx":
        (405505, "4eb5f5d0f30f26497eb0ac6ac9719d09c67e284f1ed0385c93f3ef27a671da3d"),
    "planetoid/ind.pubmed.ty":
        (12135, "ee2e0d4819d9fbcc403689c3bf2e49face401b605932f093bc58ab6461130fdd"),
    "planetoid/ind.pubmed.x":
        (23172, "fbe9cb5c47200d1b7769a26e579be3b7130b556831f9d850e77c4c74f2599b33"),
    "planetoid/ind.pubmed.y":
        (854, "e6c807633307a07ed659249006536a147c7999c797f11a2560752990181b41b3"),
    "tu/ENZYMES/ENZYMES_A.txt":
        (885124, "5553c84f8f562f3e199dfd27192174f485e85c44c1357661098668937a739cbf"),
    "tu/ENZYMES/ENZYMES_graph_indicator.txt":
        (74914, "95ba0fa47eba6f02e6b754a215dc66d5b49de3f45f57a128514301a8d7ed5f46"),
    "tu/ENZYMES/ENZYMES_graph_labels.txt":
        (1200, "04743e08967e61e65cdacbb90f8df6ee53742b3d2e7b84675b85ebac70506856"),
    "tu/ENZYMES/ENZYMES_node_attributes.txt":
        (3876850, "305a8fc3b12f79fb844ef3374d6a3c8ceeb4887dd4f86bbfe37932c4c5434e7b"),
    "tu/ENZYMES/ENZYMES_node_labels.txt":
        (39160, "8263eb9b64efa231a5886343483ccfc0342f2407014763a8f738fd51c32ce770"),
    "tu/IMDB-BINARY/IMDB-BINARY_A.txt":
        (4596012, "23c8964bab82f81469271186d721131714a265d0ca8c44ae048118da1d0c4092"),
    "tu/IMDB-BINARY/IMDB-BINARY_graph_indicator.txt":
        (76924, "415cc3ba25b8c647dcf34d3de034f675ee070616f3b803be939cb26773489f26"),
    "tu/IMDB-BINARY/IMDB-BINARY_graph_labels.txt":
        (2000, "63a44411fd6342b9c4429828c16e144a2a11ef5244e25bb60f0ffa8b3ee2ffce"),
    "tu/IMDB-MULTI/IMDB-MULTI_A.txt":
        (4702980, "fb538b23758d78df199272301e57dc74ad5754d6c3d79d5ed0a343193ddf4ec6"),
    "tu/IMDB-MULTI/IMDB-MULTI_graph_indicator.txt":
        (82760, "0274532a0e47dad9cdd21c08995c2265e43040a2c2a3b36c62fdb790994571d3"),
    "tu/IMDB-MULTI/IMDB-MULTI_graph_labels.txt":
        (3000, "613c2357b6b996f6f04b91697a99da87774820f9d08bf22813992f4c7afda855"),
    "tu/MUTAG/MUTAG_A.txt":
        (76940, "d9656ca7493f3445d737c711710bb36fd432dddd1c0ea32e1d4713c86ebd28e2"),
    "tu/MUTAG/MUTAG_edge_labels.txt":
        (14884, "4669ce755075ff86c3240709345745886400908fa637a49310459b9c267b3e56"),
    "tu/MUTAG/MUTAG_graph_indicator.txt":
        (11532, "7d520a4d6c7961c0cdeabe076d8fe27e795b6d373485c9a2b744987e560a2056"),
    "tu/MUTAG/MUTAG_graph_labels.txt":
        (439, "a1518ea39ba3426bd42f57396b9c4baffe68e9adc718caeeab0119c6591a5f2c"),
    "tu/MUTAG/MUTAG_node_labels.txt":
        (6742, "678f429965490e84dd27713017538c995fc05d1621beac910848b600015ee863"),
    "tu/NCI1/NCI1_A.txt":
        (3235898, "2c028eda59a5fe96e2265a63d9ac236901bd9a7dc658498be13cd704a703076d"),
    "tu/NCI1/NCI1_graph_indicator.txt":
        (585267, "ffe5acfa754b057d5ce0dc725c5aadb631628161886cc040d38c719635257dc5"),
    "tu/NCI1/NCI1_graph_labels.txt":
        (8220, "fae44681e70113f496256ae87eaac33b7836e3a97fe8e023933b84fde6a5c8a2"),
    "tu/NCI1/NCI1_node_labels.txt":
        (245932, "dc0a22b6cbff0c939de00373e823977ba32b358f560e4288d7602f7b51407ee2"),
    "tu/NCI109/NCI109_A.txt":
        (3231486, "9c0ae8c1e631f771663de1e095eb36604f4feeb512e46b90b0409f05f876bab6"),
    "tu/NCI109/NCI109_graph_indicator.txt":
        (583372, "f86bb0249bf985be397f46c493879022cb068b1d4331215151442de1738c9163"),
    "tu/NCI109/NCI109_graph_labels.txt":
        (8254, "8ab9932d5347b935e3aaa7be2f787cc78860fa1af9df836dd3f03cde6939b640"),
    "tu/NCI109/NCI109_node_labels.txt":
        (245264, "d2ceda711b4ea4218909e5527325374d7e50c698b0d8a22567390a5526dbd6bc"),
    "tu/PROTEINS/PROTEINS_A.txt":
        (2022990, "4c4b33e272fc95cac6d27ed6d5d12b9a852c8610e91fff59f8f0dbdd5a20df67"),
    "tu/PROTEINS/PROTEINS_graph_indicator.txt":
        (169673, "8d4ff1e852a5c28561e9bffb44cf9490bc552b13a3b6156dd12dc7f44e9afc4a"),
    "tu/PROTEINS/PROTEINS_graph_labels.txt":
        (2226, "c0ef9810c440775252872318d0c8adc385588e14bc4c47a2c34aa96ee3c7cdcd"),
    "tu/PROTEINS/PROTEINS_node_attributes.txt":
        (478190, "54eef829abb37e458a5fbf3a3c581e48e5810e220463c2cd951856b9ceb08f07"),
    "tu/PROTEINS/PROTEINS_node_labels.txt":
        (86942, "f758e8ad3d6e3c026b50833d75f6f90735b94eb3345e4243707f495ca8afea8d"),
    "tu/PTC_MR/PTC_MR_A.txt":
        (106642, "f79523ff94dfbef539e5602a8ac1931a50a2800f33fa1d30e5e31725289b5202"),
    "tu/PTC_MR/PTC_MR_edge_labels.txt":
        (20216, "acee2f93b52175a329009dc837bea9db7c2a121c2ef0b1587b38bbe6fc9b8177"),
    "tu/PTC_MR/PTC_MR_graph_indicator.txt":
        (18155, "d52754f3cbc54e29324f884b4c17200c16e06db0c499afae300b4fa1bb6d794b"),
    "tu/PTC_MR/PTC_MR_graph_labels.txt":
        (880, "64210accbe4c6c027535b1294e0da652b1f539667f7a2d4bf5121dcd8b00a224"),
    "tu/PTC_MR/PTC_MR_node_labels.txt":
        (9842, "cc50d1e1c5f4c98b2100cf50c5ddd88ff28b419a9180d531046b75ce22983235"),
}


def pinned(key: str) -> tuple[int, str] | None:
    """Return ``(size, sha256)`` pinned for ``key`` (e.g. ``"tu/MUTAG/MUTAG_A.txt"``), or None."""
    return CHECKSUMS.get(key)
