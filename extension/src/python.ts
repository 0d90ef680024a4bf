// Finding the Python interpreter that runs the server, checking Flambeau is installed in it, and
// creating a virtual environment with it when it is not.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

export interface Interpreter {
  python: string;
  /** Where it came from, for the log. */
  source: "setting" | "python extension" | "PATH";
}

export type ProbeResult =
  | { ok: true; version: string }
  | { ok: false; problem: "no-interpreter" | "no-package" | "not-flambeau"; detail: string };

interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath?: () => { path?: string } | undefined };
}

async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const active = api?.environments?.getActiveEnvironmentPath?.()?.path;
    return typeof active === "string" && active ? active : undefined;
  } catch {
    return undefined;
  }
}

export async function resolveInterpreter(configured: string): Promise<Interpreter> {
  if (configured) return { python: configured, source: "setting" };
  const fromExtension = await pythonExtensionInterpreter();
  // l10n-ignore: for the log
  if (fromExtension) return { python: fromExtension, source: "python extension" };
  return { python: "python3", source: "PATH" };
}

function run(file: string, args: string[], timeoutMs = 60_000, cwd?: string): Promise<{ code: number; stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 10 * 1024 * 1024, ...(cwd ? { cwd } : {}) }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      const missing = error !== null && (error as NodeJS.ErrnoException).code === "ENOENT";
      resolve({ code, stdout: String(stdout), stderr: String(stderr), missing });
    });
  });
}

// The flambeau distribution must be installed, and the `cli.main` that `-m cli.main` would run must be
// its own (another project's `cli` package would otherwise pass for the server).
// l10n-ignore: Python source
const PROBE = [
  "import importlib.metadata as m, json",
  "try:",
  "    version = m.version('flambeau')",
  "except m.PackageNotFoundError:",
  "    print(json.dumps({'installed': False})); raise SystemExit(0)",
  "try:",
  "    import cli.main as entry",
  "    ours = getattr(entry, 'DISTRIBUTION', None) == 'flambeau'",
  "    where = entry.__file__",
  "except Exception as error:",
  "    ours, where = False, repr(error)",
  "print(json.dumps({'installed': True, 'version': version, 'ours': ours, 'where': where}))",
].join("\n");

interface ProbeAnswer {
  installed: boolean;
  version?: string;
  ours?: boolean;
  where?: string;
}

/** Checks that `python`, run from `cwd` as the server will be, exists and runs Flambeau's own server. */
export async function probe(python: string, cwd: string | undefined): Promise<ProbeResult> {
  const result = await run(python, ["-I", "-c", PROBE], 30_000, cwd);
  if (result.missing) return { ok: false, problem: "no-interpreter", detail: vscode.l10n.t('no Python interpreter at "{0}"', python) };
  let answer: ProbeAnswer | undefined;
  try {
    answer = JSON.parse(result.stdout.trim().split("\n").pop() ?? "") as ProbeAnswer;
  } catch {
    answer = undefined;
  }
  if (result.code !== 0 || !answer) {
    const last = result.stderr.trim().split("\n").pop() ?? "";
    return { ok: false, problem: "no-interpreter", detail: vscode.l10n.t('"{0}" did not run as a Python interpreter ({1})', python, last) };
  }
  if (!answer.installed) return { ok: false, problem: "no-package", detail: vscode.l10n.t("the flambeau package is not installed in {0}", python) };
  if (!answer.ours) {
    const where = answer.where ?? vscode.l10n.t("not importable");
    return { ok: false, problem: "not-flambeau", detail: vscode.l10n.t("in {0}, `cli.main` is not Flambeau's ({1})", python, where) };
  }
  return { ok: true, version: answer.version ?? "" };
}

/** The server and the extension come from the same release when their major and minor versions agree. */
export function sameRelease(server: string, extension: string): boolean {
  const release = (version: string) => version.split(".").slice(0, 2).join(".");
  return release(server) === release(extension);
}

export function venvPython(dir: string): string {
  return process.platform === "win32" ? path.join(dir, "Scripts", "python.exe") : path.join(dir, "bin", "python");
}

/** Creates (or reuses) a venv under `dir` and pip-installs `source` into it; returns its python. */
export async function createEnvironment(basePython: string, dir: string, source: string, report: (step: string) => void): Promise<string> {
  const python = venvPython(dir);
  if (!fs.existsSync(python)) {
    report(vscode.l10n.t("creating a virtual environment in {0}", dir));
    const created = await run(basePython, ["-m", "venv", dir], 300_000);
    if (created.code !== 0) {
      const why = created.missing ? vscode.l10n.t("interpreter not found") : created.stderr.trim();
      throw new Error(vscode.l10n.t('"{0} -m venv" failed: {1}', basePython, why));
    }
  }
  // l10n-ignore: the command line it runs
  report(`pip install ${source}`);
  const installed = await run(python, ["-m", "pip", "install", "--quiet", source], 1_800_000);
  if (installed.code !== 0) throw new Error(vscode.l10n.t("pip install {0} failed: {1}", source, installed.stderr.trim().split("\n").slice(-3).join(" ")));
  return python;
}
