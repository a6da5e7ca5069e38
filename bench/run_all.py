"""Run every benchmark in bench/ and print their JSON results as one JSON document.

Each benchmark is a script that prints one JSON object (its figures beside a baseline
measured in the same run). Results are also written to bench/results/<name>.json.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _result(stdout: str) -> dict:
    """The script's JSON object: its whole output, or else its last line (a script may print
    progress lines before it, or its object indented over many lines)."""
    try:
        return json.loads(stdout)
    except json.JSONDecodeError:
        return json.loads(stdout.strip().splitlines()[-1])


def main() -> int:
    results, failed = {}, []
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    for script in sorted(HERE.glob("*.py")):
        if script.name in {"run_all.py", "__init__.py"} or script.name.startswith("_"):
            continue
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        if proc.returncode != 0:
            failed.append(script.stem)
            sys.stderr.write(proc.stderr)
            continue
        data = _result(proc.stdout)
        results[script.stem] = data
        (out_dir / f"{script.stem}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2))
    print(json.dumps({"results": results, "failed": failed}, ensure_ascii=False, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
