"""Run every benchmark and write bench/RESULTS.md: `make bench`."""

import os
import platform
import subprocess
from datetime import date
from pathlib import Path

import certificates
import dashboards
import lesson_page
import submissions

BENCHMARKS = [("Lesson page", lesson_page.main), ("Survey submissions", submissions.main),
              ("Certificate PDFs", certificates.main), ("Dashboards at scale", dashboards.main)]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> None:
    sections = [f"## {title}\n\n{run()}" for title, run in BENCHMARKS]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    text = "\n\n".join([
        "# Benchmark results",
        f"Command: `make bench`. Measured on {date.today()} at commit {commit or 'unknown'}; machine: {machine()}.\n"
        "Absolute figures drift between machines; compare the ratios. The load generator runs on the same machine.",
        *sections,
    ])
    output = Path(__file__).with_name("RESULTS.md")
    output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
