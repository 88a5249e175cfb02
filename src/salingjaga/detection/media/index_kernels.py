"""Compiled inner loops of the PDQ index (numba, compiled on first use and cached on disk).

Hashes are rows of four uint64 words; every loop here releases the GIL (``nogil``) so a
batch split across threads runs on every core. Results grow in place (doubling arrays),
because how many rows match a query is unbounded (a bank can hold many copies).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

U64 = np.uint64
COPY = 8  # bucket entries copied per probe without a data-dependent loop


@intrinsic
def _ctpop(typingctx, x):  # type: ignore[no-untyped-def]
    """The CPU's population count on a uint64 (llvm.ctpop)."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.ctpop(args[0])

    return sig, codegen


@intrinsic
def _prefetch(typingctx, arr, idx):  # type: ignore[no-untyped-def]
    """Ask the CPU to start loading ``arr[idx]`` (its first element of the row) into cache
    (llvm.prefetch, read, keep): random reads issued ahead of use overlap in memory."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        inds = [args[1]] + [context.get_constant(types.intp, 0)] * (aryty.ndim - 1)
        ptr = cgutils.get_item_pointer2(
            context, builder, data=ary.data, shape=cgutils.unpack_tuple(builder, ary.shape, aryty.ndim),
            strides=cgutils.unpack_tuple(builder, ary.strides, aryty.ndim), layout=aryty.layout,
            inds=inds, wraparound=False)
        i8p = builder.bitcast(ptr, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p.type, i32, i32, i32]),
                                            "llvm.prefetch")
        builder.call(fn, [i8p, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


popcount: Any = _ctpop  # typed loosely: mypy cannot see through numba's intrinsic wrapper
prefetch: Any = _prefetch
AHEAD = 16  # how many items ahead the passes prefetch


@njit(nogil=True, cache=True)
def _grow(a: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    b = np.empty(a.shape[0] * 2, a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(nogil=True, cache=True, inline="always")
def _distance(a0: np.uint64, a1: np.uint64, a2: np.uint64, a3: np.uint64, words: np.ndarray,
              r: int) -> np.uint64:  # pragma: no cover - compiled
    return (popcount(a0 ^ words[r, 0]) + popcount(a1 ^ words[r, 1])
            + popcount(a2 ^ words[r, 2]) + popcount(a3 ^ words[r, 3]))


@njit(nogil=True, cache=True)
def build_chunk(words: np.ndarray, word: int, shift: np.uint64, width: np.uint64,
                offsets: np.ndarray, ids: np.ndarray) -> None:  # pragma: no cover - compiled
    """Counting sort of the rows by one chunk's key: ``offsets`` (2**width + 1, zeroed)
    becomes the bucket starts, ``ids`` the row numbers bucket by bucket (ascending)."""
    n = words.shape[0]
    mask = (U64(1) << width) - U64(1)
    for i in range(n):
        offsets[((words[i, word] >> shift) & mask) + U64(1)] += 1
    for k in range(1, offsets.shape[0]):
        offsets[k] += offsets[k - 1]
    pos = offsets[:-1].copy()
    for i in range(n):
        key = (words[i, word] >> shift) & mask
        ids[pos[key]] = i
        pos[key] += 1


@njit(nogil=True, cache=True)
def mih_search(q: np.ndarray, words: np.ndarray, alive: np.ndarray, offsets: np.ndarray,
               ids: np.ndarray, c_word: np.ndarray, c_shift: np.ndarray, c_width: np.ndarray,
               c_obase: np.ndarray, plan_chunk: np.ndarray, plan_t: np.ndarray,
               plan_mstart: np.ndarray, masks: np.ndarray, radius: int, row_base: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Multi-index hashing: for each planned chunk, probe every bucket within ``plan_t``
    flipped bits of the query's key, and keep the rows within ``radius`` on all 256 bits.
    A row near in several planned chunks is reported at the first of them only (it is
    skipped at a later chunk when an earlier one would have found it), so no pair repeats.
    Results come ordered by query.

    Each query runs in passes (bucket numbers, bucket bounds, candidate rows, check) so
    the loads of one pass do not depend on each other and the CPU keeps many random
    memory reads in flight instead of waiting for each in turn."""
    n = words.shape[0]
    last = ids.shape[0] - 1
    probes = masks.shape[0]
    bucket = np.empty(probes, np.int64)
    probe_plan = np.empty(probes, np.int64)
    lo = np.empty(probes, np.int64)
    hi = np.empty(probes, np.int64)
    cand_r = np.empty(1024, np.int64)
    cand_p = np.empty(1024, np.int64)
    out_q = np.empty(256, np.int64)
    out_r = np.empty(256, np.int64)
    out_d = np.empty(256, np.int64)
    k = 0
    rad = U64(radius)
    for qi in range(q.shape[0]):
        a0, a1, a2, a3 = q[qi, 0], q[qi, 1], q[qi, 2], q[qi, 3]
        for p in range(plan_chunk.shape[0]):
            c = plan_chunk[p]
            key = (q[qi, c_word[c]] >> c_shift[c]) & ((U64(1) << c_width[c]) - U64(1))
            for mi in range(plan_mstart[p], plan_mstart[p + 1]):
                bucket[mi] = c_obase[c] + np.int64(key ^ masks[mi])
                probe_plan[mi] = p
        for mi in range(probes):
            if mi + AHEAD < probes:
                prefetch(offsets, bucket[mi + AHEAD])
            lo[mi] = offsets[bucket[mi]]
            hi[mi] = offsets[bucket[mi] + 1]
        nc = 0
        for mi in range(probes):
            if mi + AHEAD < probes:
                prefetch(ids, min(plan_chunk[probe_plan[mi + AHEAD]] * n + lo[mi + AHEAD], last))
            start = plan_chunk[probe_plan[mi]] * n + lo[mi]
            count = hi[mi] - lo[mi]
            while nc + max(count, COPY) > cand_r.shape[0]:
                cand_r, cand_p = _grow(cand_r), _grow(cand_p)
            # a fixed-length copy (clamped to the array) instead of a loop as long as the
            # bucket: no mispredicted loop exits, so the random reads stay in flight
            for j in range(COPY):
                cand_r[nc + j] = ids[min(start + j, last)]
                cand_p[nc + j] = probe_plan[mi]
            for j in range(COPY, count):  # the rare bucket longer than COPY
                cand_r[nc + j] = ids[start + j]
                cand_p[nc + j] = probe_plan[mi]
            nc += count
        for ci in range(nc):
            if ci + AHEAD < nc:
                prefetch(words, cand_r[ci + AHEAD])
            r = cand_r[ci]
            d = _distance(a0, a1, a2, a3, words, r)
            if d > rad or alive[r] == 0:
                continue
            p = cand_p[ci]
            seen = False
            for pp in range(p):
                c2 = plan_chunk[pp]
                m2 = (U64(1) << c_width[c2]) - U64(1)
                x = ((q[qi, c_word[c2]] ^ words[r, c_word[c2]]) >> c_shift[c2]) & m2
                if popcount(x) <= U64(plan_t[pp]):
                    seen = True
                    break
            if seen:
                continue
            if k == out_q.shape[0]:
                out_q, out_r, out_d = _grow(out_q), _grow(out_r), _grow(out_d)
            out_q[k], out_r[k], out_d[k] = qi, r + row_base, np.int64(d)
            k += 1
    return out_q[:k], out_r[:k], out_d[:k]


@njit(nogil=True, cache=True)
def scan(q: np.ndarray, words: np.ndarray, alive: np.ndarray, radius: int, row_base: int
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Brute force: every live row within ``radius`` of every query, ordered by query.
    The reference the index is tested against, and the exact fallback for small segments."""
    cap = 256
    out_q = np.empty(cap, np.int64)
    out_r = np.empty(cap, np.int64)
    out_d = np.empty(cap, np.int64)
    k = 0
    rad = U64(radius)
    for qi in range(q.shape[0]):
        a0, a1, a2, a3 = q[qi, 0], q[qi, 1], q[qi, 2], q[qi, 3]
        for r in range(words.shape[0]):
            d = _distance(a0, a1, a2, a3, words, r)
            if d <= rad and alive[r] != 0:
                if k == out_q.shape[0]:
                    out_q, out_r, out_d = _grow(out_q), _grow(out_r), _grow(out_d)
                out_q[k], out_r[k], out_d[k] = qi, r + row_base, np.int64(d)
                k += 1
    return out_q[:k], out_r[:k], out_d[:k]
