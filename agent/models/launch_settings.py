"""What the embedded llama.cpp server is started with, decided from this CPU and this llama.cpp build.

Two things are known to go wrong on x86-64:
- A build compiled with native tuning on one CPU (pip builds llama-cpp-python from source, and pip's wheel
  cache reuses that build later) carries AVX-512/AMX instructions with no runtime check: on a CPU without
  them the server dies with SIGILL. The build's features are compared with /proc/cpuinfo before loading.
- On Intel CPUs with AMX, a native build's extra buffer types (weight repacking, the AMX buffer) crash
  inside `llama_decode` on the first completion (SIGSEGV). Loading with extra buffers off answers
  normally, so a build that carries AMX code loads with them off. A first start that crashes anyway is
  retried once with the safest settings (`safest()`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from agent.models.gemma_turns import CHAT_FORMAT

ExtraBuffers = Literal["auto", "on", "off"]

CPUINFO_FLAG = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX_VNNI": "avx_vnni",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AMX_INT8": "amx_int8",
}
"""llama.cpp's compiled-in CPU feature names (llama_print_system_info) → the /proc/cpuinfo flag each needs."""

PORTABLE_FORBIDDEN = ("AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AMX_INT8")
"""Features a portable x86-64 build must not carry unconditionally (many CPUs in use lack them)."""


@dataclass(frozen=True)
class LaunchSettings:
    n_ctx: int = 8192
    """Context window requested from llama.cpp (the model was trained on 32k; 8k keeps CPU prompts fast)."""
    threads: int = field(default_factory=lambda: os.cpu_count() or 2)
    """CPU threads for generation and prompt processing."""
    extra_buffers: ExtraBuffers = "auto"
    """Weight repacking / AMX buffers: `auto` turns them off when the build carries AMX code."""
    chat_format: str = CHAT_FORMAT
    safest: bool = False
    """The settings of a retry after a crashed first start."""

    def safest_variant(self) -> LaunchSettings:
        """Extra buffer types off (no repacking, no AMX path): the path that answered where the default crashed."""
        return replace(self, extra_buffers="off", safest=True)

    def record(self) -> dict[str, Any]:
        return asdict(self)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The first processor's flags; empty when unknown (not Linux, or no x86 flags line)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return set(value.split())
    return set()


def build_features(system_info: str) -> set[str]:
    """Compiled-in CPU features from llama_print_system_info(), e.g. `CPU : AVX2 = 1 | FMA = 1 | …`."""
    features = set()
    for part in system_info.replace(":", "|").split("|"):
        name, _, value = part.partition("=")
        if value.strip() == "1":
            features.add(name.strip())
    return features


def missing_cpu_features(features: set[str], flags: set[str]) -> list[str]:
    """Compiled-in features this CPU lacks (each would crash with SIGILL); none when the flags are unknown."""
    if not flags:
        return []
    return sorted(name for name, flag in CPUINFO_FLAG.items() if name in features and flag not in flags)


def use_extra_buffers(settings: LaunchSettings, features: set[str]) -> tuple[bool, str]:
    """Whether to load with extra buffer types, and why."""
    if settings.extra_buffers == "on":
        return True, "asked for"
    if settings.extra_buffers == "off":
        return False, "safest settings after a crashed start" if settings.safest else "asked for"
    if "AMX_INT8" in features:
        return False, "this llama.cpp build carries AMX code, whose repacked buffers crash in llama_decode"
    return True, "default"
