"""Benchmark `throughline ingest` against DuckDB's bare read_csv and a pandas path.

Not a test. Generates (or reuses) a sample company at --scale (500 ≈ 1,000,000
opportunities and ≈ 6,000,000 history rows), then, each in its own process so peak RSS is
its own:

  ours    throughline's ingest of the whole export folder (typing, validation, atomic apply)
  duckdb  CREATE TABLE … AS SELECT * FROM read_csv(file) for the same tabular files
  pandas  pandas.read_csv(file) + insert of the DataFrame into a DuckDB file

and prints seconds, CPU seconds, ratios and peak RSS. Targets: ours ≤ 2× duckdb, ≥ 3×
faster than pandas, peak RSS ≤ 2 GiB. The targets are about wall time; the CPU column
(user + system, imports included) is the steadier figure when other jobs share the
machine.

    python bench/ingest.py --scale 500 [--data DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TABULAR = (".csv", ".json", ".md")


def _files(data: Path) -> list[Path]:
    return sorted(p for p in data.rglob("*.csv"))


def run_ours(data: Path, work: Path) -> dict[str, float]:
    from throughline.ingest import ingest
    from throughline.core.settings import load_settings

    settings = load_settings(workspace=work / "ws")
    t = time.perf_counter()
    report = ingest(list(_files(data)), settings)
    elapsed = time.perf_counter() - t
    return {"seconds": elapsed, "rows": sum(x.rows_read for x in report.tables)}


def run_duckdb(data: Path, work: Path) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(str(work / "bare.duckdb"))
    t = time.perf_counter()
    rows = 0
    for i, f in enumerate(_files(data)):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{f}')")
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    return {"seconds": time.perf_counter() - t, "rows": rows}


def run_pandas(data: Path, work: Path) -> dict[str, float]:
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(work / "pandas.duckdb"))
    t = time.perf_counter()
    rows = 0
    for i, f in enumerate(_files(data)):
        df = pd.read_csv(f)
        con.register("df", df)
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM df")
        con.unregister("df")
        rows += len(df)
        del df
    con.execute("CHECKPOINT")
    con.close()
    return {"seconds": time.perf_counter() - t, "rows": rows}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, data: str, work: str) -> None:
    fn = {"ours": run_ours, "duckdb": run_duckdb, "pandas": run_pandas}[kind]
    cpu = _cpu()
    out = fn(Path(data), Path(work))
    out["cpu_s"] = _cpu() - cpu  # includes imports; robust when other jobs share the CPUs
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(kind: str, data: Path, work: Path) -> dict[str, float]:
    w = work / kind
    w.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(data), str(w)],
                          capture_output=True, text=True, check=True)
    shutil.rmtree(w, ignore_errors=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", default="healthy")
    ap.add_argument("--data", type=Path, help="reuse an existing sample folder")
    ap.add_argument("--keep", action="store_true", help="keep the generated sample")
    ap.add_argument("--skip-pandas", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    data = args.data
    if data is None:
        from throughline.sample import generate

        data = work / "sample"
        t = time.perf_counter()
        generate(args.scenario, args.seed, args.scale, data)
        print(f"generated scale {args.scale:g} in {time.perf_counter() - t:.1f}s → {data}")
    size = sum(f.stat().st_size for f in _files(data)) / 1e6
    print(f"tabular CSV input: {len(_files(data))} files, {size:,.0f} MB")
    results = {"duckdb": measure("duckdb", data, work), "ours": measure("ours", data, work)}
    if not args.skip_pandas:
        results["pandas"] = measure("pandas", data, work)
    print(f"{'path':<8} {'seconds':>9} {'CPU s':>8} {'rows':>12} {'peak RSS MB':>12}")
    for k, r in results.items():
        print(f"{k:<8} {r['seconds']:>9.2f} {r['cpu_s']:>8.1f} {int(r['rows']):>12,} "
              f"{r['peak_rss_mb']:>12.0f}")
    ours, bare = results["ours"]["seconds"], results["duckdb"]["seconds"]
    print(f"ours / duckdb read_csv = {ours / bare:.2f}x  (target ≤ 2.0x; CPU "
          f"{results['ours']['cpu_s'] / results['duckdb']['cpu_s']:.2f}x)")
    if "pandas" in results:
        print(f"pandas / ours          = {results['pandas']['seconds'] / ours:.2f}x "
              f"(target ≥ 3.0x; CPU "
              f"{results['pandas']['cpu_s'] / results['ours']['cpu_s']:.2f}x)")
    print(f"ours peak RSS          = {results['ours']['peak_rss_mb']:.0f} MB (target ≤ 2048)")
    if args.data is None and not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()
