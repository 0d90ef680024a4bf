"""Installs llama-cpp-python built for any x86-64 CPU into the running Python, and checks the build.

pip compiles llama-cpp-python from source with native CPU tuning: the library then carries AVX-512 and
AMX instructions with no runtime check wherever the build machine had them, and crashes on CPUs without
them (SIGILL), while its AMX path crashes on the very CPUs that have it (SIGSEGV in llama_decode).
`-DGGML_NATIVE=OFF` builds the AVX2/FMA/F16C baseline instead, which every x86-64 CPU Flambeau supports
runs. (`-DGGML_CPU_ALL_VARIANTS=ON` with `-DGGML_BACKEND_DL=ON` would add runtime-dispatched variants, but
its `sapphirerapids` variant is the AMX path that crashes, it compiles the CPU backend 14 times, and
llama-cpp-python loads no dynamic backends: so not that.)

pip's wheel cache is keyed by the source archive only, not by CMAKE_ARGS: a native wheel built once is
silently reused later even with the portable flags set. So whatever wheel pip hands back is disassembled
and refused if it holds AVX-512 (zmm, opmask or EVEX-only registers) or AMX instructions; then it is built
again without pip's cache. Checked wheels are kept in $XDG_CACHE_HOME/flambeau/wheels/<key of the flags>.

Run: .venv/bin/python scripts/portable_llama.py            (install or keep a portable build)
     .venv/bin/python scripts/portable_llama.py --check    (only check the installed one; 1 if native)
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REQUIREMENT = "llama-cpp-python==0.3.36"
PORTABLE_CMAKE_ARGS = "-DGGML_NATIVE=OFF"
NON_PORTABLE = re.compile(
    r"%zmm\d|%k[1-7]\b|%[xy]mm(?:1[6-9]|2\d|3[01])\b|\b(?:tdpb\w+|tileloadd\w*|tilestored|ldtilecfg|tilezero)\b"
)
"""AVX-512 registers (zmm, opmask, xmm/ymm16-31 exist only with EVEX) and AMX instructions."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    tag = f"{REQUIREMENT}|{PORTABLE_CMAKE_ARGS}|{sys.implementation.cache_tag}|{platform.machine()}"
    return Path(base) / "flambeau" / "wheels" / hashlib.sha256(tag.encode()).hexdigest()[:16]


def native_code(libraries: list[Path]) -> list[str]:
    """`library: first offending instruction` for each library with AVX-512/AMX code; empty if portable."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return []
    if shutil.which("objdump") is None:
        raise SystemExit("portable_llama: objdump is needed to check the build (Debian: apt-get install binutils)")
    found = []
    for library in libraries:
        listing = subprocess.run(
            ["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True, check=True
        ).stdout
        match = NON_PORTABLE.search(listing)
        if match:
            line = listing[listing.rfind("\n", 0, match.start()) + 1 : listing.find("\n", match.end())]
            found.append(f"{library.name}: {line.strip()}")
    return found


def installed_libraries() -> list[Path] | None:
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    lib = Path(next(iter(spec.submodule_search_locations))) / "lib"
    return sorted(p for p in lib.glob("*.so*") if p.is_file())


def wheel_problems(wheel: Path) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="flambeau-wheel-") as tmp, zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if re.search(r"/lib/[^/]+\.so[.\d]*$", n)]
        archive.extractall(tmp, names)
        return native_code([Path(tmp) / n for n in names])


def build_wheel(out: Path, use_pip_cache: bool) -> Path:
    env = {**os.environ, "CMAKE_ARGS": PORTABLE_CMAKE_ARGS, "FORCE_CMAKE": "1"}
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-binary", "llama-cpp-python"]
    command += [] if use_pip_cache else ["--no-cache-dir"]
    subprocess.run([*command, "-w", str(out), REQUIREMENT], env=env, check=True)
    return next(out.glob("llama_cpp_python-*.whl"))


def portable_wheel() -> Path:
    """A checked portable wheel: from our cache, from pip's cache if it passes, else freshly built."""
    cache = cache_dir()
    for wheel in sorted(cache.glob("llama_cpp_python-*.whl")):
        if not wheel_problems(wheel):
            return wheel
    with tempfile.TemporaryDirectory(prefix="flambeau-build-") as tmp:
        wheel = build_wheel(Path(tmp) / "cached", use_pip_cache=True)
        problems = wheel_problems(wheel)
        if problems:
            print("portable_llama: pip's cached wheel is a native build, building again without its cache:")
            print("\n".join(f"    {p}" for p in problems))
            wheel = build_wheel(Path(tmp) / "fresh", use_pip_cache=False)
            problems = wheel_problems(wheel)
            if problems:
                raise SystemExit("portable_llama: the build still holds AVX-512/AMX code:\n" + "\n".join(problems))
        cache.mkdir(parents=True, exist_ok=True)
        kept = cache / wheel.name
        shutil.copy2(wheel, kept)
        return kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the installed build")
    args = parser.parse_args()
    libraries = installed_libraries()
    problems = native_code(libraries) if libraries else ["llama-cpp-python is not installed"]
    if not problems:
        print("llama-cpp-python: portable build (no AVX-512 or AMX code)")
        return 0
    if args.check:
        print("llama-cpp-python is not a portable build:\n" + "\n".join(f"    {p}" for p in problems))
        return 1
    wheel = portable_wheel()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(wheel)], check=True
    )
    print(f"llama-cpp-python: installed the portable build {wheel.name} (checked: no AVX-512 or AMX code)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
