"""aider's RepoMap on a tree, cold and warm; run with the Python of aider's own venv (see bench_search_outline.py).

Usage: python aider_repomap.py ROOT FILES_JSON CHANGED_FILE MAP_TOKENS ROUNDS
Prints one JSON object with timings in seconds. Imports and aider's model set-up are not timed.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time


def main() -> None:
    root, files_json, changed, map_tokens, rounds = sys.argv[1:6]
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from aider.io import InputOutput
    from aider.models import Model
    from aider.repomap import RepoMap

    with open(files_json, encoding="utf-8") as handle:
        files = [os.path.join(root, rel) for rel in json.load(handle)]
    io = InputOutput(pretty=False, yes=True, fancy_input=False, input_history_file=None, chat_history_file=None)
    model = Model("gpt-4o")
    shutil.rmtree(os.path.join(root, RepoMap.TAGS_CACHE_DIR), ignore_errors=True)

    def new_map() -> RepoMap:
        return RepoMap(map_tokens=int(map_tokens), root=root, main_model=model, io=io, refresh="always")

    repo_map = new_map()
    started = time.perf_counter()
    text = repo_map.get_repo_map([], files) or ""
    cold = time.perf_counter() - started

    with open(changed, "rb") as handle:
        original = handle.read()
    warm: list[float] = []
    try:
        for i in range(int(rounds)):
            with open(changed, "wb") as handle:
                handle.write(original + f"\n\ndef bench_added_{i}(queryset):\n    return queryset\n".encode())
            started = time.perf_counter()
            repo_map.get_repo_map([], files)
            warm.append(time.perf_counter() - started)
        with open(changed, "wb") as handle:
            handle.write(original + b"\n\ndef bench_added_disk(queryset):\n    return queryset\n")
        started = time.perf_counter()
        new_map().get_repo_map([], files)
        disk = time.perf_counter() - started
    finally:
        with open(changed, "wb") as handle:
            handle.write(original)
    shutil.rmtree(os.path.join(root, RepoMap.TAGS_CACHE_DIR), ignore_errors=True)
    timings = {"cold": cold, "warm": statistics.median(warm), "disk_warm": disk}
    print(json.dumps({**timings, "map_chars": len(text), "files": len(files)}))


if __name__ == "__main__":
    main()
