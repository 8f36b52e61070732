"""Conversions between dedup signatures and datasketch objects.

A dedup signature row is a datasketch `MinHash` of the same scheme, seed and permutation count: in
`sha1` mode the values are those datasketch computes itself; in `fast` mode they are those of a
datasketch MinHash whose `hashfunc` is dedup's fast shingle hash (which `to_datasketch` sets, so
that further `update` calls on the returned object stay consistent).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dedup.config import MinHashConfig
from dedup.errors import ConfigError
from dedup.hashing import char_shingle_hash, word_shingle_hash
from dedup.lsh import LSHParams

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHash, MinHashLSH

U32 = npt.NDArray[np.uint32]


def _hashfunc(config: MinHashConfig) -> Callable[[bytes], int] | None:
    if config.hash == "sha1":
        return None  # datasketch's default, sha1_hash32
    return word_shingle_hash if config.shingle == "word" else char_shingle_hash


def _values(signature: U32, config: MinHashConfig) -> npt.NDArray[Any]:
    row = np.asarray(signature)
    if row.shape != (config.num_perm,):
        raise ConfigError(f"a signature of {config.num_perm} values was expected, got shape {row.shape}")
    return row.astype(np.uint64 if config.scheme == "legacy" else np.uint32)


def to_datasketch(signature: U32, config: MinHashConfig | None = None) -> MinHash:
    """A datasketch `MinHash` holding this signature (same scheme, seed, base hash)."""
    from datasketch import MinHash

    config = config or MinHashConfig()
    kwargs: dict[str, Any] = {}
    if (hashfunc := _hashfunc(config)) is not None:
        kwargs["hashfunc"] = hashfunc
    return MinHash(
        num_perm=config.num_perm,
        seed=config.seed,
        scheme=config.scheme,
        hashvalues=_values(signature, config),
        **kwargs,
    )


def to_lean(signature: U32, config: MinHashConfig | None = None) -> LeanMinHash:
    """A datasketch `LeanMinHash` (frozen, compact) holding this signature."""
    from datasketch import LeanMinHash

    config = config or MinHashConfig()
    return LeanMinHash(seed=config.seed, hashvalues=_values(signature, config), scheme=config.scheme)


def from_datasketch(minhash: MinHash | LeanMinHash, config: MinHashConfig | None = None) -> U32:
    """The signature row of a datasketch MinHash or LeanMinHash, checked against the config."""
    config = config or MinHashConfig()
    scheme = getattr(minhash, "scheme", "legacy")
    if scheme != config.scheme or minhash.seed != config.seed or len(minhash.hashvalues) != config.num_perm:
        raise ConfigError(
            f"this MinHash has scheme {scheme!r}, seed {minhash.seed} and {len(minhash.hashvalues)} permutations; "
            f"the config has {config.scheme!r}, {config.seed} and {config.num_perm}"
        )
    values = np.asarray(minhash.hashvalues)
    if values.size and int(values.max()) > 0xFFFFFFFF:
        raise ConfigError("hash values wider than 32 bits (affine64?) have no dedup equivalent")
    return values.astype(np.uint32)


def fill_minhashlsh(
    lsh: MinHashLSH, keys: Sequence[Hashable], signatures: U32, config: MinHashConfig | None = None
) -> MinHashLSH:
    """Insert every signature under its key into a datasketch `MinHashLSH` (as LeanMinHash)."""
    config = config or MinHashConfig()
    if len(keys) != len(signatures):
        raise ConfigError(f"{len(keys)} keys for {len(signatures)} signatures")
    with lsh.insertion_session() as session:
        for key, row in zip(keys, signatures, strict=True):
            session.insert(key, to_lean(row, config))
    return lsh


def to_minhashlsh(
    keys: Sequence[Hashable], signatures: U32, params: LSHParams, config: MinHashConfig | None = None
) -> MinHashLSH:
    """A new datasketch `MinHashLSH` with these bands and rows, filled with the signatures."""
    from datasketch import MinHashLSH

    config = config or MinHashConfig()
    lsh = MinHashLSH(threshold=params.threshold, num_perm=config.num_perm, params=(params.bands, params.rows))
    return fill_minhashlsh(lsh, keys, signatures, config)
