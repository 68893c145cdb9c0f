"""What one cold render costs, in CPU and in instructions: `make bench-cost`.

    make bench-cost                        # home, story, rubric of the 10,000-story archive
    INSTRUCTIONS=0 make bench-cost         # CPU only (no valgrind)
    STORIES=1000 REQUESTS=500 make bench-cost

In one process with production settings, the dummy cache and no page cache (as
`make bench-growth`): REQUESTS renders of each page through Django's test Client, then

- **CPU ms**: the CPU time of this process and of its PostgreSQL backend (read from
  /proc) per render. Unlike wall time under wrk it does not count waiting, but it still
  moves by a millisecond or so when the neighbours of a shared machine are busy;
- **Python instructions**: the same process under valgrind's callgrind, counting only
  the instructions of RENDERS renders (after a warm-up, with collection switched on by
  `callgrind_control`). The count is the same to 0.1 % from run to run, whatever else the
  machine does, so it shows what a change to our code saves where wall time cannot. It
  counts this process only, not PostgreSQL's work (the CPU column has that).

Use it to compare two commits (run it in each checkout): the ratios to Wagtail come from
`make bench-ratio`.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_growth import environment  # noqa: E402
from loadstack import PYTHON, ROOT, Archive, commit, env_int, manage, page_paths, say  # noqa: E402

STORIES = env_int("STORIES", 10000)
BENCH_DB = os.environ.get("BENCH_DB", f"newsroom_bench_{STORIES}")
REQUESTS = env_int("REQUESTS", 300)
RENDERS = env_int("RENDERS", 10)
INSTRUCTIONS = os.environ.get("INSTRUCTIONS", "1") != "0"
PAGES = os.environ.get("PAGES", "home story rubric").split()
LANGUAGE = os.environ.get("LANGUAGE", "ky")

CPU_SNIPPET = """
import json, time
from django.db import connection
from django.test import Client
from tests.benchmarks.loadstack import cpu_seconds
client = Client()
paths, requests = json.loads(%r), %d
result = {}
for path in paths:
    for _ in range(20):
        assert client.get(path).status_code == 200, path
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    backend, own = cpu_seconds(pid), time.process_time()
    for _ in range(requests):
        client.get(path)
    result[path] = {
        "python": (time.process_time() - own) / requests * 1000,
        "postgresql": (cpu_seconds(pid) - backend) / requests * 1000,
    }
print(json.dumps(result))
"""

# Run under callgrind with collection off; it is switched on around the measured renders.
INSTRUCTIONS_SNIPPET = """
import os, subprocess
from django.test import Client
client = Client()
path, renders = %r, %d
for _ in range(10):
    assert client.get(path).status_code == 200, path
subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
for _ in range(renders):
    client.get(path)
subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)
"""


def instructions(env: dict[str, str], path: str, out: Path) -> int:
    """Instructions of this process per render of `path`, as callgrind counts them."""
    subprocess.run(  # noqa: S603
        [
            shutil.which("valgrind"),
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            PYTHON,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            INSTRUCTIONS_SNIPPET % (path, RENDERS),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    for line in out.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1]) // RENDERS
    raise RuntimeError(f"no totals in {out}")


def main() -> int:
    os.chdir(ROOT)
    archive = Archive(STORIES, BENCH_DB)
    env = environment(archive.url)
    archive.ensure(env)
    paths = page_paths(env)
    wanted = {page: paths[LANGUAGE][page] for page in PAGES}
    say(f"# newsroom {commit()}; {STORIES}-story archive; {REQUESTS} cold renders per page")
    out = manage(
        env, "shell", "-v0", "-c", CPU_SNIPPET % (json.dumps(list(wanted.values())), REQUESTS)
    )
    cpu = json.loads(out.strip().splitlines()[-1])
    counted = INSTRUCTIONS and shutil.which("valgrind") and shutil.which("callgrind_control")
    workdir = tempfile.mkdtemp(prefix="newsroom-cost-")
    say(f"{'page':8}{'python CPU ms':>15}{'PostgreSQL CPU ms':>19}{'Python instructions':>21}")
    try:
        for page, path in wanted.items():
            count = ""
            if counted:
                count = f"{instructions(env, path, Path(workdir) / f'{page}.callgrind'):,}"
            say(f"{page:8}{cpu[path]['python']:15.2f}{cpu[path]['postgresql']:19.2f}{count:>21}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if INSTRUCTIONS and not counted:
        say("(no valgrind here: apt-get install valgrind for the instruction counts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
