"""Character n-gram columns of one text, found with numpy instead of a string per n-gram.

sklearn's char analyzer builds every n-gram as a Python string and looks each one up in a
dict: ~1,500 of them for a 400-character report, which cost more than everything else in
a single prediction. Here each character becomes a small integer (its index in the
vocabulary's alphabet, 0 when no vocabulary term holds it), an n-gram becomes the number
whose base-(alphabet + 1) digits are its characters, and the columns come from one
``searchsorted`` over the vocabulary's numbers. The numbers are exact (no hashing): with
digits 1…A, each n-gram of up to ``hi`` characters has its own number as long as
(A + 1) ** hi < 2 ** 63, which the constructor checks.
"""

from __future__ import annotations

import numpy as np


class CharGrams:
    def __init__(self, vocabulary: dict[str, int], lo: int, hi: int):
        alphabet = sorted({ch for term in vocabulary for ch in term})
        self.base = len(alphabet) + 1
        if self.base**hi >= 2**63:
            raise ValueError("alphabet too large for exact n-gram numbers")
        self.lo, self.hi = lo, hi
        top = ord(alphabet[-1]) if alphabet else 0
        # Code point → digit; a dense table (a few hundred kB for CJK) beats a dict lookup
        # per character.
        self.table = np.zeros(top + 2, dtype=np.int64)
        for i, ch in enumerate(alphabet, start=1):
            self.table[ord(ch)] = i
        numbers = np.array([self._number(term) for term in vocabulary], dtype=np.int64)
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        order = np.argsort(numbers)
        self.numbers, self.columns = numbers[order], columns[order]

    def _number(self, term: str) -> int:
        n = 0
        for ch in term:
            n = n * self.base + int(self.table[ord(ch)])
        return n

    def digits(self, text: str) -> np.ndarray:
        cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        return self.table[np.minimum(cp, len(self.table) - 1)]

    def __call__(self, text: str) -> np.ndarray:
        """The column of every n-gram of ``text`` that is in the vocabulary (repeats kept)."""
        d = self.digits(text)
        # A window holding an unknown character (digit 0) is no vocabulary term; the running
        # count of zeros tells which windows hold one.
        zeros = np.concatenate([[0], np.cumsum(d == 0)])
        windows = []
        number = np.zeros(len(d), dtype=np.int64)
        for k in range(1, min(self.hi, len(d)) + 1):
            number = number[: len(d) - k + 1] * self.base + d[k - 1 :]
            if k >= self.lo:
                windows.append(number[zeros[k:] == zeros[: len(d) - k + 1]])
        if not windows or not len(self.numbers):
            return np.zeros(0, dtype=np.int64)
        # Sorted keys: numpy's binary search starts from the previous key's place, so the
        # lookups walk the (megabytes large) vocabulary in one direction.
        cand = np.sort(np.concatenate(windows))
        pos = np.searchsorted(self.numbers, cand)
        pos[pos == len(self.numbers)] = 0
        return self.columns[pos[self.numbers[pos] == cand]]
