"""Dense integer ids for codes (customers, SKUs) in the order they first appear."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


class DenseIds:
    """Code → 0, 1, 2, … as codes are met; `codes` gives them back by id."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def codes(self) -> np.ndarray:
        return np.array(list(self._ids), dtype=object)

    def of(self, codes: pa.Array) -> np.ndarray:
        """The ids of distinct codes, new codes added."""
        ids = self._ids
        values = codes.to_pylist()
        found = list(map(ids.get, values))
        for i in [i for i, known in enumerate(found) if known is None]:
            found[i] = ids.setdefault(values[i], len(ids))
        return np.array(found, np.int64)
