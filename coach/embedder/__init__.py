"""The sentence embedder (all-MiniLM-L6-v2 from an installed package, ONNX, no torch at run time).

Shared by the embedding detector (`coach.detectors.embedding`), the rewrite bank's retriever
and the verifier's meaning check, so it lives beside them rather than inside any one of them.

  model         - offline weights, the embedding cache, `get_embedder()`
  onnx_runtime  - the exported graph and its check against the PyTorch vectors
"""
