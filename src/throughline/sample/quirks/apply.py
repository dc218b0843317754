"""The quirks applied to a sample company's tables as they are written (:class:`Quirks`).

The generator drives it chunk by chunk (``start_chunk``, then the table hooks); every
quirk draws from its own random stream, so the base streams are untouched. The files are
finished once at the end (``finish``: the workbook, then the Windows encoding).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from throughline.sample import vocabulary as V
from throughline.sample.crm import MOTIONS, SOURCE_MOTION, Accounts, Deals, office_time
from throughline.sample.field import MANAGERS
from throughline.sample.ids import instance_code, salesforce_ids
from throughline.sample.plan import Plan
from throughline.sample.quirks.files import to_windows, write_xlsx
from throughline.sample.quirks.vocabulary import (
    ACCENTED_CORP,
    ACCENTED_NAMES,
    ACCENTED_SHARE,
    BACKDATED_SHARE,
    CORPORATE,
    CURRENCY_CODES,
    CURRENCY_OF_COUNTRY,
    LOCAL_CURRENCY_SHARE,
    LOCALIZED,
    LOCALIZED_SHARE,
    LOST_BLANK_SHARE,
    MIGRATION_SERIAL_BASE,
    MIGRATION_SHARE,
    MXN_SHARE,
    RATES,
    SPANISH_SHARE,
    TEAM_LAST_NAMES,
    UNUSUAL,
    UNUSUAL_SHARE,
)
from throughline.sample.seeding import stream
from throughline.sample.writer import seconds, sf_datetime


def _set(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


def _replace(table: pa.Table, name: str, mask: np.ndarray, values: pa.Array) -> pa.Table:
    """Column ``name`` with ``values`` where ``mask`` holds (values may be full length)."""
    if not np.any(mask):
        return table
    col = table.column(name).combine_chunks()
    new = pc.if_else(pa.array(mask), values.cast(col.type), col)
    return _set(table, name, new)


def _labels(names: Iterable[str], index: np.ndarray) -> pa.Array:
    return pa.array(list(names), type=pa.string()).take(pa.array(index.astype(np.int64)))


class Quirks:
    """Applies the chosen quirks to one sample company's tables as they are written."""

    def __init__(self, plan: Plan, names: tuple[str, ...]) -> None:
        self.plan = plan
        self.names = names
        self.seed = plan.company.seed
        self.inst = instance_code(self.seed)
        self.counts: dict[str, dict[str, int]] = {}
        self._currency: np.ndarray | None = None  # per account of the chunk
        self._chunk = 0
        self._migrated = 0
        c = plan.company
        rng = stream(self.seed, "quirk:bulk-history")
        day = c.start_day + (c.ref_day - c.start_day) * float(rng.uniform(0.3, 0.5))
        # a night-time data load: one instant, to the second
        at = np.floor(day) + (2 * 3600 + int(rng.integers(0, 3600))) / 86_400
        self.migration_at = str(np.datetime64(int(seconds(np.array([at]))[0]), "s"))
        self.migration_text = self.migration_at + ".000+0000"
        self.team = self._draw_team()

    def on(self, name: str) -> bool:
        return name in self.names

    def _rng(self, name: str) -> np.random.Generator:
        return stream(self.seed, "quirk:" + name, self._chunk)

    def _count(self, quirk: str, key: str, n: int) -> None:
        d = self.counts.setdefault(quirk, {})
        d[key] = d.get(key, 0) + int(n)

    # --- per chunk --------------------------------------------------------------------

    def start_chunk(self, chunk: int, accounts: Accounts) -> None:
        self._chunk = chunk
        n = len(accounts.created)
        if self.on("currencies"):
            rng = self._rng("currencies")
            local = np.array([CURRENCY_OF_COUNTRY.get(c, CORPORATE) for c in V.COUNTRIES],
                             dtype=object)[accounts.country]
            keep_local = rng.random(n) < LOCAL_CURRENCY_SHARE
            mxn = rng.random(n) < MXN_SHARE
            code = np.where((local != CORPORATE) & keep_local, local, CORPORATE)
            code = np.where((local == CORPORATE) & mxn, "MXN", code)
            self._currency = _codes_index(code)

    def accounts(self, table: pa.Table) -> pa.Table:
        """Account.csv: accented names for a share of accounts (with ``cp1252``)."""
        if not self.on("cp1252"):
            return table
        rng = self._rng("cp1252")
        n = table.num_rows
        pick_ = rng.random(n) < ACCENTED_SHARE
        stem = rng.integers(0, len(ACCENTED_NAMES), n)
        corp = rng.integers(0, len(ACCENTED_CORP), n)
        names = pc.binary_join_element_wise(_labels(ACCENTED_NAMES, stem),
                                            _labels(ACCENTED_CORP, corp), " ")
        self._count("cp1252", "accounts_renamed", int(pick_.sum()))
        return _replace(table, "Name", pick_, names)

    def opportunities(self, table: pa.Table, d: Deals) -> pa.Table:
        """Opportunity.csv: labels, currencies, blank close dates, backdated imports."""
        n = len(d)
        ref = float(self.plan.company.ref_day)
        if self.on("localized-labels"):
            rng = self._rng("localized-labels")
            chosen = (rng.random(n) < LOCALIZED_SHARE) & (d.source != V.BLANK_SOURCE)
            spanish = rng.random(n) < SPANISH_SHARE
            es = [LOCALIZED.get(lab, (None, None))[0] or lab for lab in V.SOURCE_LABELS]
            pt = [LOCALIZED.get(lab, (None, None))[1] or lab for lab in V.SOURCE_LABELS]
            idx = d.source + np.where(spanish, 0, len(es))
            translated = np.asarray(es + pt, dtype=object)[idx] != np.asarray(
                V.SOURCE_LABELS, dtype=object)[d.source]
            mask = chosen & translated
            table = _replace(table, "LeadSource", mask, _labels(es + pt, idx))
            self._count("localized-labels", "deals", int(mask.sum()))
        if self.on("unusual-labels"):
            rng = self._rng("unusual-labels")
            inbound = SOURCE_MOTION[d.source] == MOTIONS.index("inbound")
            kinds = list(UNUSUAL)
            which = np.array([kinds.index(c) if c in UNUSUAL else -1
                              for c in np.asarray([s.group for s in V.LEAD_SOURCES])]
                             )[d.source]
            mask = inbound & (which >= 0) & (rng.random(n) < UNUSUAL_SHARE)
            table = _replace(table, "LeadSource", mask,
                             _labels(list(UNUSUAL.values()), np.maximum(which, 0)))
            self._count("unusual-labels", "deals", int(mask.sum()))
        if self.on("currencies"):
            code = self._deal_currency(d)
            amount = np.round(np.round(d.amount) * _rate(code), 2)
            table = _set(table, "Amount", pa.array(amount))
            cur = _labels(CURRENCY_CODES, code)
            table = table.add_column(table.schema.get_field_index("Amount") + 1,
                                     "CurrencyIsoCode", cur)
            for i, c in enumerate(CURRENCY_CODES):
                if c != CORPORATE and np.any(code == i):
                    self._count("currencies", "opportunities_" + c, int((code == i).sum()))
        if self.on("lost-without-close-date"):
            rng = self._rng("lost-without-close-date")
            lost = d.closed & ~d.won
            mask = lost & (rng.random(n) < LOST_BLANK_SHARE)
            table = _replace(table, "CloseDate", mask,
                             pa.nulls(n, table.schema.field("CloseDate").type))
            self._count("lost-without-close-date", "deals", int(mask.sum()))
        if self.on("closed-before-created"):
            rng = self._rng("closed-before-created")
            lag = rng.uniform(1, 45, n)
            ok = np.flatnonzero(d.closed & d.won & (d.close_day + 46 < ref))
            k = min(len(ok), max(3, round(BACKDATED_SHARE * len(ok))))
            mask = np.zeros(n, dtype=bool)
            mask[rng.choice(ok, size=k, replace=False) if k else ok[:0]] = True
            imported = np.floor(d.close_day + lag) + rng.random(n)
            table = _replace(table, "CreatedDate", mask, sf_datetime(office_time(imported)))
            self._count("closed-before-created", "deals", int(mask.sum()))
        if self.on("missing-leadsource"):
            table = table.drop_columns(["LeadSource"])
        return table

    def _deal_currency(self, d: Deals) -> np.ndarray:
        assert self._currency is not None
        return self._currency[d.account]

    def history(self, table: pa.Table, d: Deals, opp_ids: pa.Array) -> pa.Table:
        """OpportunityHistory.csv: migration rows (one timestamp), amounts per currency."""
        if self.on("bulk-history") and table.num_rows:
            rng = self._rng("bulk-history")
            created = pc.strftime(pa.array(seconds(d.created), type=pa.timestamp("s")),
                                  format="%Y-%m-%dT%H:%M:%S")
            before = pc.less(created, pa.scalar(self.migration_at)).to_numpy(
                zero_copy_only=False)
            chosen = before & (rng.random(len(d)) < MIGRATION_SHARE)
            rows = pc.and_(pc.is_in(table.column("OpportunityId"),
                                    value_set=opp_ids.filter(pa.array(chosen))),
                           pc.less(table.column("CreatedDate"),
                                   pa.scalar(self.migration_text)))
            copies = table.filter(rows)
            m = copies.num_rows
            if m:
                serial = MIGRATION_SERIAL_BASE + np.arange(self._migrated, self._migrated + m)
                self._migrated += m
                copies = _set(copies, "Id", salesforce_ids("history", self.inst, serial))
                copies = _set(copies, "CreatedDate",
                              pa.repeat(pa.scalar(self.migration_text), m))
                table = pa.concat_tables([table, copies])
                self._count("bulk-history", "rows", m)
                self._count("bulk-history", "deals",
                            len(pc.unique(copies.column("OpportunityId"))))
        if self.on("currencies") and table.num_rows:
            deal = pc.index_in(table.column("OpportunityId"), value_set=opp_ids).to_numpy(
                zero_copy_only=False)
            code = self._deal_currency(d)[deal]
            amount = table.column("Amount").to_numpy().astype(float)
            table = _set(table, "Amount", pa.array(np.round(amount * _rate(code), 2)))
        return table

    def subscriptions(self, table: pa.Table, account_ids: pa.Array) -> pa.Table:
        """billing/subscriptions.csv: MRR in the account's currency, a ``currency`` column."""
        if not self.on("currencies"):
            return table
        assert self._currency is not None
        acct = pc.index_in(table.column("account_id"), value_set=account_ids).to_numpy(
            zero_copy_only=False)
        code = self._currency[acct] if len(acct) else np.zeros(0, dtype=np.int64)
        mrr = table.column("mrr").to_numpy().astype(float)
        table = _set(table, "mrr", pa.array(np.round(mrr * _rate(code), 2)))
        table = table.add_column(table.schema.get_field_index("mrr") + 1, "currency",
                                 _labels(CURRENCY_CODES, code))
        self._count("currencies", "subscription_lines_not_usd", int((code != 0).sum()))
        return table

    # --- once per company -------------------------------------------------------------

    def _draw_team(self) -> dict[str, list[str]]:
        rng = stream(self.seed, "quirk:rollup-forecasts")
        sizes = 3 + rng.integers(0, 3, len(MANAGERS))
        first = rng.permutation(len(V.FIRST_NAMES))
        last = rng.permutation(len(TEAM_LAST_NAMES))
        names = [f"{V.FIRST_NAMES[first[i % len(first)]].title()} "
                 f"{TEAM_LAST_NAMES[last[i % len(last)]]}" for i in range(int(sizes.sum()))]
        out, at = {}, 0
        for who, size in zip(MANAGERS, sizes.tolist()):
            out[who] = names[at:at + size]
            at += size
        return out

    def forecasts(self, table: pa.Table) -> pa.Table:
        """field/forecasts.csv: each manager's commit row followed by the team's rows,
        which add up to it exactly."""
        if not self.on("rollup-forecasts") or not table.num_rows:
            return table
        rng = stream(self.seed, "quirk:rollup-forecasts", 1)
        owner = np.asarray(table.column("owner").to_pylist(), dtype=object)
        category = np.asarray(table.column("category").to_pylist(), dtype=object)
        rows = np.flatnonzero(np.isin(owner, MANAGERS) & (category == "commit"))
        size = np.asarray([len(self.team[w]) for w in MANAGERS])[
            _index_of(owner[rows], MANAGERS)]
        src = np.repeat(rows, size)
        member = np.arange(len(src)) - np.repeat(np.cumsum(size) - size, size)
        roster = [n for who in MANAGERS for n in self.team[who]]
        first = np.cumsum([0] + [len(self.team[w]) for w in MANAGERS])[:-1]
        manager = _index_of(owner[src], MANAGERS)
        names = np.asarray(roster, dtype=object)[first[manager] + member]
        total = table.column("amount").to_numpy().astype(float)[src]
        w = rng.gamma(4.0, 1.0, len(src))
        starts = np.cumsum(size) - size
        w = w / np.repeat(np.add.reduceat(w, starts), size) if len(w) else w
        part = np.floor(total * w / 100.0) * 100.0
        last = member == np.repeat(size - 1, size)
        others = np.repeat(np.add.reduceat(np.where(last, 0.0, part), starts), size) \
            if len(part) else part
        part = np.where(last, total - others, part)
        team = table.take(pa.array(src))
        team = _set(team, "owner", pa.array(names.tolist(), type=pa.string()))
        team = _set(team, "amount", pa.array(part))
        both = pa.concat_tables([table, team])
        order = np.lexsort((np.concatenate([np.full(table.num_rows, -1), member]),
                            np.concatenate([np.arange(table.num_rows), src])))
        self._count("rollup-forecasts", "team_rows", len(src))
        return both.take(pa.array(order))

    def currency_type(self) -> pa.Table:
        """crm/CurrencyType.csv as Data Loader exports it."""
        serial = 62**4 + np.arange(len(RATES))
        return pa.table({
            "Id": salesforce_ids("currency_type", self.inst, serial),
            "IsoCode": pa.array(list(RATES), type=pa.string()),
            "ConversionRate": pa.array(list(RATES.values())),
            "DecimalPlaces": pa.array([2] * len(RATES)),
            "IsActive": pa.array(["true"] * len(RATES)),
            "IsCorporate": pa.array(["true" if c == CORPORATE else "false" for c in RATES]),
        })

    def finish(self, root: Path, rows: dict[str, int]) -> list[str]:
        """After every file is written: the workbook, then the Windows encoding.
        Returns the files removed (an Account.csv replaced by its workbook)."""
        removed: list[str] = []
        if self.on("xlsx") and (root / "crm/Account.csv").exists():
            write_xlsx(root / "crm/Account.csv", root / "crm/Account.xlsx", "Account")
            (root / "crm/Account.csv").unlink()
            rows["crm/Account.xlsx"] = rows.pop("crm/Account.csv")
            removed.append("crm/Account.csv")
        if self.on("cp1252"):
            done = []
            for rel in sorted(rows):
                if rel.endswith(".csv") and (root / rel).exists():
                    to_windows(root / rel)
                    done.append(rel)
            self.counts.setdefault("cp1252", {})["files"] = len(done)
        return removed

    def record(self) -> dict[str, Any]:
        """What truth.json says about the quirks applied."""
        details: dict[str, Any] = {}
        for name in self.names:
            info: dict[str, Any] = dict(self.counts.get(name, {}))
            if name == "localized-labels":
                info["labels"] = {lab: [es, pt] for lab, (es, pt) in LOCALIZED.items()}
            elif name == "unusual-labels":
                info["labels"] = sorted(UNUSUAL.values())
            elif name == "currencies":
                info.update(corporate=CORPORATE, rates=dict(RATES),
                            file="crm/CurrencyType.csv")
            elif name == "cp1252":
                info.update(encoding="cp1252", line_ends="CRLF")
            elif name == "bulk-history":
                info["migration_timestamp"] = self.migration_text
            elif name == "rollup-forecasts":
                info["teams"] = self.team
            elif name == "missing-leadsource":
                info["dropped"] = "crm/Opportunity.csv: LeadSource"
            elif name == "xlsx":
                info["file"] = "crm/Account.xlsx"
            details[name] = info
        return {"applied": list(self.names), "details": details}


def _index_of(values: np.ndarray, labels: tuple[str, ...]) -> np.ndarray:
    out = np.full(len(values), -1, dtype=np.int64)
    for i, label in enumerate(labels):
        out[values == label] = i
    return out


def _codes_index(code: np.ndarray) -> np.ndarray:
    return np.maximum(_index_of(code, CURRENCY_CODES), 0)


def _rate(code: np.ndarray) -> np.ndarray:
    """Units of each row's currency per corporate unit (``code`` indexes ``CURRENCY_CODES``)."""
    return np.asarray([RATES[c] for c in CURRENCY_CODES])[code]

