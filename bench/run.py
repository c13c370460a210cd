"""Run every benchmark and write bench/RESULTS.md: `make bench`."""

import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import background
import certificates
import dashboards
import faults
import pages
import submissions

BENCHMARKS = [
    ("Pages", pages.main),
    ("Survey submissions", submissions.main),
    ("Mail in the background", background.main),
    ("Certificate PDFs", certificates.main),
    ("Dashboards at scale", dashboards.main),
    ("Load and faults", faults.main),
]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    sections = []
    for title, run in BENCHMARKS:
        print(f"{title}…", file=sys.stderr, flush=True)
        section_started = time.perf_counter()
        figures = run()
        sections.append(f"## {title}\n\n{figures}\n\n_Took {time.perf_counter() - section_started:.0f} s._")
    wall = time.perf_counter() - started
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    text = "\n\n".join(
        [
            "# Benchmark results",
            f"Command: `make bench`. Measured on {date.today()} at commit {commit or 'unknown'}; machine: {machine()}; "
            f"load average {load_before:.1f} before the run; the whole run took {wall / 60:.1f} minutes.\n"
            "Absolute figures drift between machines; compare the ratios. The load generator runs on the same machine, "
            "so it takes a share of the same cores.",
            *sections,
        ]
    )
    output = Path(__file__).with_name("RESULTS.md")
    output.write_text(text + "\n")
    print(text)
    print(f"\nTotal wall time: {wall:.0f} s ({wall / 60:.1f} min).")


if __name__ == "__main__":
    main()
