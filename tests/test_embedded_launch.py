"""How the embedded server is launched: Gemma's turns, the settings chosen from the CPU and the build, the
crash words, and the check that a llama.cpp build holds no AVX-512/AMX code (on real compiled libraries)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agent.models.crash_report import crash_message, how_it_ended
from agent.models.gemma_turns import gemma_prompt, gemma_turns
from agent.models.launch_settings import (
    LaunchSettings,
    build_features,
    cpu_flags,
    missing_cpu_features,
    use_extra_buffers,
)
from tests.conftest import ROOT
from tests.processes import wait_until

sys.path.insert(0, str(ROOT / "scripts"))
import portable_llama

PORTABLE_INFO = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | REPACK = 1 | "
NATIVE_AMX_INFO = PORTABLE_INFO + "AVX512 = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | "
EPYC_FLAGS = {"pni", "ssse3", "avx", "avx2", "f16c", "fma", "bmi2", "avx512f", "avx512_vnni", "avx512_bf16"}


def test_gemma_turns_open_the_first_user_turn_with_the_system_text_and_alternate() -> None:
    messages = [
        {"role": "system", "content": "You call tools."},
        {"role": "user", "content": "Run echo hi"},
        {"role": "assistant", "content": '{"tool": "run_command"}'},
        {"role": "user", "content": "Result of run_command:\nhi"},
        {"role": "user", "content": [{"type": "text", "text": "Go on."}]},
    ]
    assert gemma_turns(messages) == [
        ("user", "You call tools.\n\nRun echo hi"),
        ("model", '{"tool": "run_command"}'),
        ("user", "Result of run_command:\nhi\n\nGo on."),
    ]
    prompt = gemma_prompt(messages)
    assert prompt.startswith("<start_of_turn>user\nYou call tools.\n\nRun echo hi<end_of_turn>\n<start_of_turn>model\n")
    assert prompt.endswith("<end_of_turn>\n<start_of_turn>model\n") and "[INST]" not in prompt


def test_build_features_are_read_from_llama_system_info_and_checked_against_the_cpu(tmp_path: Path) -> None:
    assert build_features(PORTABLE_INFO) == {"SSE3", "SSSE3", "AVX", "AVX2", "F16C", "FMA", "BMI2", "REPACK"}
    assert missing_cpu_features(build_features(PORTABLE_INFO), EPYC_FLAGS) == []
    assert missing_cpu_features(build_features(NATIVE_AMX_INFO), EPYC_FLAGS) == ["AMX_INT8"]
    assert missing_cpu_features(build_features(NATIVE_AMX_INFO), set()) == []  # unknown CPU: nothing claimed
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx2 amx_tile amx_int8\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert cpu_flags(cpuinfo) == {"fpu", "avx2", "amx_tile", "amx_int8"}
    assert cpu_flags(tmp_path / "missing") == set()


def test_extra_buffers_are_off_for_a_build_with_amx_code_and_in_the_safest_settings() -> None:
    auto = LaunchSettings()
    assert use_extra_buffers(auto, build_features(PORTABLE_INFO)) == (True, "default")
    used, why = use_extra_buffers(auto, build_features(NATIVE_AMX_INFO))
    assert not used and "AMX" in why
    safest = auto.safest_variant()
    assert safest.safest and use_extra_buffers(safest, build_features(PORTABLE_INFO))[0] is False
    assert safest.record()["extra_buffers"] == "off"


def test_crash_words_name_the_signal_or_exit_code_the_log_and_what_to_do() -> None:
    assert how_it_ended(-11) == "was killed by signal SIGSEGV (a crash inside llama.cpp)"
    assert how_it_ended(-4).startswith("was killed by signal SIGILL (an instruction this CPU does not have")
    assert how_it_ended(3) == "exited with code 3"
    log = "\n".join(f"line {i}" for i in range(40))
    message = crash_message(-11, log, "while starting")
    assert message.startswith("the embedded model server (llama.cpp) was killed by signal SIGSEGV")
    assert "    line 39" in message and "line 27" not in message
    assert "What to do: reinstall llama-cpp-python built for any x86-64 CPU" in message
    assert "(the log is empty)" in crash_message(1, "", "while starting")


def _compiled(tmp_path: Path, name: str, flags: list[str]) -> Path:
    source = tmp_path / "dot.c"
    source.write_text(
        "float dot(const float *a, const float *b, int n) {\n"
        "  float s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }\n"
    )
    library = tmp_path / name
    compile_command = ["gcc", "-O3", "-ffast-math", "-shared", "-fPIC", *flags, "-o", str(library), str(source)]
    subprocess.run(compile_command, check=True)
    return library


@pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("objdump") is None, reason="needs gcc and objdump")
def test_the_portable_check_refuses_avx512_code_and_accepts_the_avx2_baseline(tmp_path: Path) -> None:
    avx2 = _compiled(tmp_path, "libavx2.so", ["-mavx2", "-mfma", "-mf16c"])
    avx512 = _compiled(tmp_path, "libavx512.so", ["-mavx512f", "-mprefer-vector-width=512"])
    assert portable_llama.native_code([avx2]) == []
    found = portable_llama.native_code([avx2, avx512])
    assert len(found) == 1 and found[0].startswith("libavx512.so: ") and "zmm" in found[0]


def test_the_installed_llama_cpp_build_is_portable() -> None:
    libraries = portable_llama.installed_libraries()
    assert libraries, "llama-cpp-python is not installed"
    assert portable_llama.native_code(libraries) == []


def test_the_server_process_exits_when_flambeau_is_killed(tmp_path: Path) -> None:
    """The launcher runs in its own session; when its parent dies (SIGKILL: no cleanup ran) it exits too."""
    pid_file = tmp_path / "server.pid"
    child = (
        "import os, sys, time\n"
        "from agent.models.llama_launcher import exit_with_parent\n"
        "exit_with_parent(os.getppid(), interval_s=0.05)\n"
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "time.sleep(600)\n"
    )
    parent = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {child!r}], start_new_session=True)\n"
        "time.sleep(600)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    flambeau = subprocess.Popen([sys.executable, "-c", parent], env=env)
    try:
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text().strip() != "", 120)
        server = int(pid_file.read_text())
        os.kill(flambeau.pid, signal.SIGKILL)
        flambeau.wait()
        assert wait_until(lambda: not _alive(server), 60), "the server outlived the killed parent"
    finally:
        if flambeau.poll() is None:
            flambeau.kill()
            flambeau.wait()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
