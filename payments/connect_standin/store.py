"""The stand-in's data: plain dicts in memory, persisted as an append-only JSON-lines journal.

Each write appends the whole new version of one record; loading replays the journal (the last
version of a record wins). O(1) per write, so ten thousand transfers do not re-write a growing
file each time (localstripe's own store pickles everything on every write).
"""

from __future__ import annotations

import json
import os
import secrets
import string
import time
from pathlib import Path
from typing import Any, TextIO

KINDS = (
    "account",
    "transfer",
    "reversal",
    "link",
    "idempotency",
    "event",
    "balance",
    "dispute",
)


def new_id(prefix: str, n: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(n))


class ConnectStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.data: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self.order: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self._file: TextIO | None = None

    # --- persistence -----------------------------------------------------------------------

    def load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as journal:
            for line in journal:
                line = line.strip()
                if not line:
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    break  # a torn last line after a crash: ignore it
                if entry.get("op") == "clear":
                    self._clear_memory()
                else:
                    self._put_memory(entry["kind"], entry["id"], entry["obj"])

    def _append(self, entry: dict[str, Any]) -> None:
        if self.path is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._file.flush()

    def clear(self) -> None:
        self._clear_memory()
        if self.path is not None:
            if self._file is not None:
                self._file.close()
                self._file = None
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"op": "clear"}) + "\n")
            os.replace(tmp, self.path)

    def _clear_memory(self) -> None:
        for kind in KINDS:
            self.data[kind].clear()
            self.order[kind].clear()

    # --- records ---------------------------------------------------------------------------

    def _put_memory(self, kind: str, key: str, obj: dict[str, Any]) -> None:
        if key not in self.data[kind]:
            self.order[kind].append(key)
        self.data[kind][key] = obj

    def put(self, kind: str, key: str, obj: dict[str, Any]) -> dict[str, Any]:
        self._put_memory(kind, key, obj)
        self._append({"kind": kind, "id": key, "obj": obj})
        return obj

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.data[kind].get(key)

    def newest_first(self, kind: str) -> list[dict[str, Any]]:
        return [self.data[kind][key] for key in reversed(self.order[kind])]

    # --- balances (minor units per currency, per connected account) -------------------------

    def balance(self, account_id: str) -> dict[str, Any]:
        return self.get("balance", account_id) or {"available": {}}

    def credit(self, account_id: str, currency: str, amount: int) -> None:
        balance = self.balance(account_id)
        available = dict(balance["available"])
        available[currency] = available.get(currency, 0) + amount
        self.put("balance", account_id, {"available": available, "updated": int(time.time())})
