"""Run every benchmark and print one table of the figures against their goals.

    python bench/run_all.py [--quick]

Each benchmark is its own script (run them alone for details); this runs them one after the
other in fresh processes, so one does not warm or load the next, and prints their outputs and
then the table. --quick uses 2,000 chats in the fan-out instead of 10,000.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
STEPS = [
    ("ingest", ["ingest.py"]),
    ("query", ["query.py"]),
    ("fan-out", ["fanout.py"]),
    ("ranking", ["rank_quality.py"]),
    ("rank speed", ["rank_speed.py"]),
    ("relevance", ["relevance.py"]),
    ("queries", ["queries.py"]),
    ("impact", ["impact.py"]),
    ("start-up", ["startup.py"]),
    ("replay", ["replay.py"]),
    ("digest importance", ["digest_importance.py"]),
    ("suggestions", ["suggestion_replay.py"]),
]
# (label, step, pattern whose groups are reported, goal text)
FIGURES = [
    ("ingest vs bare feedparser", "ingest", r"ratio ingest/bare: ([\d.]+x)", "<= 1.5x"),
    ("/search p95", "query", r"/search p95\s+([\d.]+ ms) vs its raw FTS5 query [\d.]+ ms = "
     r"([\d.]+x)", "<= 10 ms, <= 2x"),
    ("/papers p95", "query", r"/papers p95\s+([\d.]+ ms) vs its raw SQL [\d.]+ ms = ([\d.]+x)",
     "<= 10 ms, <= 2x"),
    ("fan-out, no limiter", "fan-out", r"no limiter\s+\d+ msgs in [\d.]+ s = (\d+ msg/s)",
     ">= 500 msg/s"),
    ("fan-out, limiter", "fan-out", r"= (\d+%) of what the limiter permits", ">= 90%"),
    ("fan-out peak RSS", "fan-out", r"peak RSS \(bot process\)\s+(\d+ MB)", "-"),
    ("ranker AP / recall@100", "ranking", r"ranker \(default weights\)\s+([\d.]+)\s+([\d.]+)",
     ">= 0.15 / >= 0.5"),
    ("tf-idf+SVM AP / recall@100", "ranking", r"tf-idf \+ LinearSVC \(C=0.01\)\s+([\d.]+)\s+"
     r"([\d.]+)", "(baseline)"),
    ("random AP / recall@100", "ranking", r"^random\s+([\d.]+)\s+([\d.]+)", "(baseline)"),
    ("ranking rate", "rank speed", r"ranking rate: ([\d,]+ papers/s)", ">= 1,000/s"),
    ("GAN zoo -> Generative (old/new)", "relevance",
     r"GAN zoo -> Unsupervised\s+\d+\s+([\d.]+%)\s+([\d.]+%)", ">= 85%"),
    ("cs.SD -> Speech (old/new)", "relevance", r"speech -> Speech\s+\d+\s+([\d.]+%)\s+"
     r"([\d.]+%)", ">= 80%"),
    ("cs.RO+ML -> RL (old/new)", "relevance", r"robotics -> Reinforcement Learning\s+\d+\s+"
     r"([\d.]+%)\s+([\d.]+%)", ">= 75%"),
    ("no ML -> other (old/new)", "relevance", r"no-ML -> other\s+\d+\s+([\d.]+%)\s+"
     r"([\d.]+%)", ">= 80%"),
    ("CVPR -> NLP/Speech/RL (old/new)", "relevance", r"CVPR 2015-2019 -> NLP, Speech or RL\s+"
     r"\d+\s+([\d.]+%)\s+([\d.]+%)", "<= 5%"),
    ("-> a bucket (old/new)", "relevance", r"a time or format bucket\s+\d+\s+([\d.]+%)\s+"
     r"([\d.]+%)", "0"),
    ("routing LOO top-1/3, old", "relevance", r"old router\s+\d+\s+([\d.]+)\s+([\d.]+)",
     "(baseline)"),
    ("routing LOO top-1/3, new", "relevance", r"new router\s+\d+\s+([\d.]+)\s+([\d.]+)",
     ">= 0.80 / >= 0.95"),
    ("keywords P/R, old", "relevance", r"old \(anywhere, whole words\)\s+delivered\s+\d+\s+"
     r"precision ([\d.]+)\s+recall ([\d.]+)", "(baseline)"),
    ("keywords P/R, new", "relevance", r"new \(title, or central in the abstract\)\s+delivered"
     r"\s+\d+\s+precision ([\d.]+)\s+recall ([\d.]+)", "better than old"),
    ("search known-item MRR old/new", "relevance", r"all\s+n=\s*\d+\s+([\d.]+)\s+([\d.]+)",
     ">= 0.95"),
    ("search phrase P@10, old", "relevance", r"old: ([\d.]+)\s+\(goal", "(baseline)"),
    ("search phrase P@10, new", "relevance", r"new: ([\d.]+)\s+\(goal", ">= 0.9"),
    ("/paper unknown -> not found", "relevance", r"not found: old\s+([\d.]+%)\s+new\s+"
     r"([\d.]+%)", ">= 99%"),
    ("/paper list titles -> right", "relevance", r"the right paper: old\s+([\d.]+%)\s+new\s+"
     r"([\d.]+%)", "100%"),
    ("names /paper (base / this)", "queries", r"^/paper\s+\d+\s+([\d.]+%)\s+([\d.]+%)",
     ">= 95%"),
    ("names /search (base / this)", "queries", r"^/search\s+\d+\s+([\d.]+%)\s+([\d.]+%)",
     ">= 95%"),
    ("names Chinese (base / this)", "queries", r"^Chinese\s+\d+\s+([\d.]+%)\s+([\d.]+%)",
     ">= 95%"),
    ("names overall (base / this)", "queries", r"^overall\s+\d+\s+([\d.]+%)\s+([\d.]+%)",
     ">= 95%"),
    ("impact at day 0 (ICLR 2017)", "impact", r"THE RANKER'S IMPACT \(Scored.impact, day 0\)"
     r"\s+([\d.]+) \[[^\]]*\]\s+([\d.]+)", ">= 0.45 / >= 0.25"),
    ("impact with 14-month counts", "impact", r"THE RANKER'S IMPACT with the counts\s+([\d.]+) "
     r"\[[^\]]*\]\s+([\d.]+)", ">= 0.88 / >= 0.64"),
    ("14-month counts alone", "impact", r"14-month counts alone\s+([\d.]+) \[[^\]]*\]\s+"
     r"([\d.]+)", "(baseline)"),
    ("cold start", "start-up", r"cold start \(spawn -> first getUpdates\)\s+([\d.]+ s)", "<= 3 s"),
    ("RSS at 100k papers / 10k chats", "start-up", r"peak RSS, 100k papers / \d+ chats\s+"
     r"(\d+ MB)", "<= 150 MB"),
    ("2017 on-topic nlp/rl/gan/det", "replay", r"on-topic share \(nlp/rl/gan/detection\): "
     r"(\S+) / (\S+) / (\S+) / (\S+)", "(labels)"),
    ("2017 silent reader-weeks", "replay", r"silent reader-weeks: (\d+)", "0"),
    ("2017 suggestions already listed", "replay", r"suggestions already on the list: "
     r"(\d+ of \d+)", "0"),
    ("2017 suggested, list added later", "replay", r"suggested before the list added them: "
     r"(\d+)", "(more is better)"),
    ("digest pct ICLR17 / reviewers", "digest importance", r"DIGEST IMPORTANCE ICLR 2017: "
     r"chosen eight ([\d.]+), old order [\d.]+, reviewers' top eight ([\d.]+)", ">= 75 / -"),
    ("digest pct 2017 venues / old", "digest importance", r"DIGEST IMPORTANCE 2017 venues: "
     r"chosen eight ([\d.]+), old order ([\d.]+)", ">= 75"),
    ("suggest P / R 2017 (held out)", "suggestions", r"SUGGESTIONS 2017 \(held out, bar "
     r"\S+\): precision (\d+%) \(floor \d+%\), recall (\d+%)", ">= 50% / >= 50%"),
    ("suggest P / R 2016 (calibration)", "suggestions", r"SUGGESTIONS 2016 \(calibration, bar "
     r"\S+\): precision (\d+%) \(floor \d+%\), recall (\d+%)", "(fitted)"),
    ("suggestion bar: 2016's / shipped", "suggestions", r"chosen on 2016: bar (\S+) .*?"
     r"shipped SUGGESTION_BAR (\S+)", "equal"),
    ("suggestions a week 2017 (max)", "suggestions", r"SUGGESTIONS 2017 \(held out.*?, "
     r"([\d.]+) a week \(max (\d+)\)", "<= 10"),
]


def run(step: str, command: list[str], quick: bool) -> str:
    """Run one benchmark script and return its output (stdout and stderr)."""
    args = [sys.executable, str(BENCH / command[0]), *command[1:]]
    if quick and step == "fan-out":
        args += ["--chats", "2000", "--limited", "1500"]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    output = done.stdout + (done.stderr if done.returncode else "")
    print(f"## {step} ({time.perf_counter() - started:.0f} s)\n{output.rstrip()}\n", flush=True)
    return output


def main() -> None:
    """Run the steps, then print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 chats in the fan-out")
    args = parser.parse_args()
    outputs = {step: run(step, command, args.quick) for step, command in STEPS}
    print(f"{'figure':34} {'measured':24} goal")
    for label, step, pattern, goal in FIGURES:
        found = re.search(pattern, outputs[step], re.M)
        value = " / ".join(found.groups()) if found else "(not found)"
        print(f"{label:34} {value:24} {goal}")


if __name__ == "__main__":
    main()
