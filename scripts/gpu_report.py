"""Assemble the report of ``scripts/gpu_check.sh``: one JSON and one Markdown file from its work folder.

Reads the steps table (``steps.tsv``: name, exit code, seconds, outcome), every step's log, the pytest
JUnit XML and the ``qhep bench gpu`` JSON files, and writes ``gpu_check.json`` and ``gpu_check.md``.
It is run after every step, so an interrupted check still leaves a report of what finished.

    python scripts/gpu_report.py --work WORK_DIR --out OUT_DIR [--smoke 1]
"""

from __future__ import annotations

import argparse
import json
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

BENCH_FILES = ("engine", "peers", "aer", "aer_gpu", "w3")


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def steps(work: Path) -> list[dict]:
    """Rows of ``steps.tsv`` with the command and the last lines of each step's log."""
    rows = []
    for line in _read(work / "steps.tsv").splitlines():
        name, rc, secs, what = (line.split("\t") + ["", "", "", ""])[:4]
        rows.append({"step": name, "exit_code": None if rc == "skipped" else int(rc), "seconds": float(secs),
                     "outcome": what, "command": _read(work / f"{name}.cmd").strip(),
                     "log_tail": _read(work / f"{name}.log").splitlines()[-15:]})
    return rows


def environment(work: Path) -> dict:
    """Card, driver, CUDA, python and package versions, read off the ``env`` step's log."""
    text = _read(work / "env.log")
    env: dict = {"raw": text.splitlines()}
    gpu = re.search(r"^(NVIDIA[^,\n]*|[^,\n]*H100[^,\n]*|[^,\n]*H200[^,\n]*), ([\d.]+), ([^,\n]+), ([\d.]+)$",
                    text, re.M)
    if gpu:
        env.update(card=gpu.group(1).strip(), driver=gpu.group(2), gpu_memory=gpu.group(3).strip(),
                   compute_capability=gpu.group(4))
    cuda = re.search(r"CUDA Version:\s*([\d.]+)", text)
    if cuda:
        env["driver_cuda"] = cuda.group(1)
    for key, pattern in (("python", r"^python: (\S+)"), ("torch", r"^torch: (.*)$"), ("jax", r"^jax: (.*)$"),
                         ("cpus", r"^cpus: (\d+)")):
        m = re.search(pattern, text, re.M)
        if m:
            env[key] = m.group(1).strip()
    return env


def tests(work: Path) -> dict:
    """Counts, failures (name and first line of the message) and skip reasons from the JUnit XML."""
    path = work / "junit.xml"
    if not path.exists():
        return {"ran": False}
    root = ET.parse(path).getroot()
    result: dict = {"ran": True, "passed": 0, "failed": 0, "errors": 0, "skipped": 0, "failures": [],
                    "skip_reasons": {}}
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        failure = case.find("failure")
        error = case.find("error")
        skipped = case.find("skipped")
        if failure is not None or error is not None:
            node = failure if failure is not None else error
            result["failed" if failure is not None else "errors"] += 1
            result["failures"].append({"test": name, "message": (node.get("message") or "").splitlines()[:3]})
        elif skipped is not None:
            result["skipped"] += 1
            reason = skipped.get("message") or ""
            result["skip_reasons"][reason] = result["skip_reasons"].get(reason, 0) + 1
        else:
            result["passed"] += 1
    return result


def benches(work: Path) -> tuple[list[dict], dict, dict]:
    """Every bench row (tagged with its step), the Aer probes by step, and the first CUDA description."""
    rows, probes, cuda = [], {}, {}
    for name in BENCH_FILES:
        path = work / f"bench_{name}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        rows += [{**r, "step": name} for r in data.get("rows", [])]
        if "aer_gpu_probe" in data:
            probes[name] = data["aer_gpu_probe"]
        cuda = cuda or data.get("cuda", {})
    return rows, probes, cuda


def main_job(step_rows: list[dict], work: Path) -> dict:
    """Wall time and exit code of the main job per device, and the comparison table it printed."""
    jobs = {}
    for row in step_rows:
        if row["step"].startswith("job_"):
            device = row["step"][4:]
            log = _read(work / f"{row['step']}.log").splitlines()
            header = max((i for i, line in enumerate(log) if line.startswith("model ")), default=len(log))
            table = log[header:header + 6]
            jobs[device] = {"wall_s": row["seconds"], "exit_code": row["exit_code"], "outcome": row["outcome"],
                            "config": next((line[8:] for line in log if line.startswith("config: ")), None),
                            "table": table}
    if "cuda" in jobs and "cpu" in jobs and jobs["cuda"]["exit_code"] == 0 == jobs["cpu"]["exit_code"]:
        jobs["cpu_over_cuda"] = jobs["cpu"]["wall_s"] / jobs["cuda"]["wall_s"]
    return jobs


def w1_goal(rows: list[dict]) -> dict | None:
    """The engine's W1 rate at the largest batch over the best peer's rate at that batch, same run."""
    engine = [r for r in rows if r["workload"] == "W1" and r["impl"] == "qhep exact" and "rate" in r]
    if not engine:
        return None
    top = max(engine, key=lambda r: r["batch"])
    peers = [r for r in rows if r["step"] == "peers" and r.get("batch") == top["batch"] and "rate" in r]
    if not peers:
        return {"batch": top["batch"], "engine_rate": top["rate"], "best_peer": None}
    best = max(peers, key=lambda r: r["rate"])
    return {"batch": top["batch"], "engine_rate": top["rate"], "best_peer": best["impl"],
            "best_peer_rate": best["rate"], "ratio": top["rate"] / best["rate"]}


def failures(step_rows: list[dict], test_result: dict, rows: list[dict], probes: dict) -> list[str]:
    """Every failure reason, one line each."""
    out = [f"step {s['step']}: {s['outcome']}" for s in step_rows if s["exit_code"] not in (0, None)
           or s["outcome"].startswith("budget")]
    out += [f"test {f['test']}: {' '.join(f['message'])[:300]}" for f in test_result.get("failures", [])]
    out += [f"{r['step']}: {r['workload']} {r['impl']} n={r.get('qubits')} B={r.get('batch')}: {r['note']}"
            for r in rows if r.get("note", "").startswith(("failed", "skipped"))]
    out += [f"Aer GPU ({name}): {p.get('gpu')}" for name, p in probes.items() if p.get("gpu") != "usable"]
    return out


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
    return "" if v is None else str(v)


def _table(rows: list[dict], columns: list[tuple[str, str]]) -> list[str]:
    lines = ["| " + " | ".join(h for _, h in columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(k)).replace("|", "/")[:200] for k, _ in columns) + " |")
    return lines


def markdown(report: dict) -> str:
    """The Markdown report."""
    env, cuda = report["environment"], report["cuda"]
    md = [f"# GPU check{' (CPU smoke rehearsal: not GPU figures)' if report['smoke'] else ''}", "",
          f"Generated {report['generated']}.", "",
          f"- card: {env.get('card', cuda.get('card', 'unknown'))} ({env.get('gpu_memory', '')}, compute capability "
          f"{env.get('compute_capability', cuda.get('capability', '?'))}); driver {env.get('driver', '?')}, "
          f"driver CUDA {env.get('driver_cuda', '?')}",
          f"- torch {env.get('torch', '?')}; python {env.get('python', '?')}; JAX {env.get('jax', '?')}; "
          f"CPUs {env.get('cpus', '?')}", "", "## Steps", ""]
    md += _table(report["steps"], [("step", "step"), ("outcome", "outcome"), ("seconds", "seconds")])
    t = report["tests"]
    md += ["", "## gpu-marked tests", ""]
    if t.get("ran"):
        md.append(f"{t['passed']} passed, {t['failed']} failed, {t['errors']} errors, {t['skipped']} skipped.")
        md += [f"- FAILED {f['test']}: {' '.join(f['message'])[:300]}" for f in t["failures"]]
        md += [f"- skipped ({n}): {reason}" for reason, n in t["skip_reasons"].items()]
    else:
        md.append("not run (see the steps table).")
    cols = [("workload", "workload"), ("impl", "implementation"), ("qubits", "n"), ("batch", "B"),
            ("step_ms", "ms/step"), ("rate", "rate"), ("unit", "unit"), ("peak_gpu_mb", "peak GPU MB"),
            ("peak_rss_mb", "peak RSS MB"), ("note", "note")]
    for title, names in (("Engine (W1, W2, swap test)", ("engine",)), ("W3 (W1 at n qubits)", ("w3",)),
                         ("Peers (same run)", ("peers",)), ("Aer", ("aer", "aer_gpu"))):
        part = [r for r in report["rows"] if r["step"] in names]
        if part:
            md += ["", f"## {title}", ""] + _table(part, cols + [("step", "step")] if title == "Aer" else cols)
    goal = report["w1_goal"]
    if goal and goal.get("best_peer"):
        md += ["", f"W1 at B = {goal['batch']}: engine {goal['engine_rate']:,.0f} samples/s, best peer "
                   f"({goal['best_peer']}) {goal['best_peer_rate']:,.0f}: **{goal['ratio']:.1f}x**."]
    md += ["", "## Aer GPU probe", ""]
    md += [f"- {name}: {p}" for name, p in report["aer_gpu_probe"].items()] or ["- not run"]
    md += ["", "## Main job", ""]
    for device, job in report["main_job"].items():
        if device == "cpu_over_cuda":
            md.append(f"- CPU / CUDA wall time: {job:.2f}x")
        else:
            md.append(f"- {device}: {job['wall_s']:.1f} s wall ({job['outcome']}; {job['config']})")
            md += [f"    {line}" for line in job["table"]]
    md += ["", "## Failures", ""] + ([f"- {f}" for f in report["failures"]] or ["none"])
    return "\n".join(md) + "\n"


def main() -> int:
    """Read the work folder, write ``gpu_check.json`` and ``gpu_check.md`` into the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--smoke", type=int, default=0)
    args = parser.parse_args()
    step_rows = steps(args.work)
    rows, probes, cuda = benches(args.work)
    test_result = tests(args.work)
    report = {"smoke": bool(args.smoke), "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "environment": environment(args.work), "cuda": cuda, "steps": step_rows, "tests": test_result,
              "rows": rows, "aer_gpu_probe": probes, "main_job": main_job(step_rows, args.work),
              "w1_goal": w1_goal(rows), "install_log": _read(args.work / "install.log").splitlines()[-30:]}
    report["failures"] = failures(step_rows, test_result, rows, probes)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2))
    (args.out / "gpu_check.md").write_text(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
