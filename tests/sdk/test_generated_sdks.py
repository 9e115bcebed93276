"""The TypeScript, Go and Python SDKs are generated from the plugin's schema by the CLI's own `pulumi package gen-sdk`
and built: `tsc` against `@pulumi/pulumi` from npm, `go build` against github.com/pulumi/pulumi/sdk/v3, and the Python
package installed and run under the pulumi SDK's mocks. (.NET and Java need language plugins not built here.)

Generated at test time into a temp dir, not committed: the schema (smh_provider/plugin/schema.json) is the
committed source and has its own staleness test (tests/plugin/test_schema.py); a committed copy of ~40 generated
files per language would be a second thing to keep fresh for no reader (this project publishes no npm or Go
package), and generation takes under a second.

`gen-sdk` asks the language's plugin to generate (LanguageRuntime.GeneratePackage). The real pulumi-language-nodejs
and pulumi-language-go are not served by the Go module proxy; tools/sdk-gen is a language plugin that answers
that one RPC with the same pkg/v3 codegen calls, built once into ~/.cache/smh-media (about 1 minute warm).
Downloads are cached outside the repo: npm packages in ~/.cache/smh-media/sdk-node, Go modules in GOMODCACHE.
Each test skips, saying why, when go, node or npm is missing; the TypeScript and Go SDKs are compiled, never run
against an engine (docs/sdks.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.emulator_process import ROOT

SCHEMA = ROOT / "smh_provider" / "plugin" / "schema.json"
CACHE = Path(os.environ.get("SMH_CACHE_DIR") or Path.home() / ".cache" / "smh-media")
SDK_GEN = ROOT / "tools" / "sdk-gen"
CLI = ROOT / ".tools" / "pulumi" / "pulumi"

TS_CONSUMER = """import * as smh from "./index";

const bucket = new smh.Bucket("media-bucket", { bucket_name: "photos", app_id: "1250000000", region: "ap-guangzhou" });
new smh.MediaProcessing("media-processing", { bucket: "photos-1250000000", region: bucket.region });
const library = new smh.MediaLibrary("media-library", {
    library_name: "photos", bucket: "photos-1250000000", bucket_region: "ap-guangzhou", multi_tenant: true,
});
// library_id and space_id are optional outputs in the schema (read from the service), so a dependent says "known".
const libraryId = library.library_id.apply(id => id ?? "");
const space = new smh.Space("space-alice", { library_id: libraryId, multi_album: true });
new smh.Album("album-alice-trips", {
    library_id: libraryId, space_id: space.space_id.apply(id => id ?? "-"), album_name: "trips",
});
export const exported: smh.MediaLibrary["library_id"] = library.library_id;
"""

GO_CONSUMER = """package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"smh-media.local/pulumi-smh/sdk/go/smh"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		lib, err := smh.NewMediaLibrary(ctx, "media-library", &smh.MediaLibraryArgs{
			Library_name: pulumi.String("photos"),
			Bucket:       pulumi.String("photos-1250000000"),
			Bucket_region: pulumi.String("ap-guangzhou"),
			Multi_tenant: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		_, err = smh.NewSpace(ctx, "space-alice", &smh.SpaceArgs{Library_id: lib.Library_id.Elem()})
		ctx.Export("libraryId", lib.Library_id)
		return err
	})
}
"""


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not on PATH: the generated SDK is not compiled here")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    run = subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, text=True, capture_output=True,
                         timeout=timeout, check=False)
    assert run.returncode == 0, (f"{' '.join(args)} failed ({run.returncode}):\n{run.stdout[-3000:]}\n"
                                 f"{run.stderr[-3000:]}")
    return run.stdout + run.stderr


def _cache_dir(final: Path, fill: Callable[[Path], object]) -> None:
    """Fill a cache directory under a temporary name and rename it into place: checkouts and workers running at
    once never see (or write into) a half-filled one."""
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    fill(tmp)
    try:
        tmp.rename(final)
    except OSError:  # another run got there first
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def codegen_plugins() -> Path:
    """A directory with pulumi-language-nodejs and pulumi-language-go (tools/sdk-gen), built once per source."""
    _need("go")
    if not CLI.exists():
        pytest.fail("no pulumi CLI in .tools/pulumi: run `make bootstrap`")
    digest = hashlib.sha256(b"".join((SDK_GEN / f).read_bytes() for f in ("go.mod", "go.sum", "main.go")))
    digest.update(_run(["go", "version"], ROOT).encode())
    home = CACHE / f"sdk-gen-{digest.hexdigest()[:16]}"
    binary = home / "pulumi-language-codegen"
    if not binary.exists():
        home.mkdir(parents=True, exist_ok=True)
        tmp = home / f".build-{os.getpid()}"
        _run(["go", "build", "-trimpath", "-o", str(tmp), "."], SDK_GEN, {"GOFLAGS": "-mod=mod"}, timeout=1200)
        tmp.replace(binary)
    for language in ("nodejs", "go"):
        link = home / f"pulumi-language-{language}"
        try:
            link.symlink_to(binary.name)
        except FileExistsError:  # made by an earlier run, or by another xdist worker just now
            pass
    return home


def gen_sdk(plugins: Path, language: str, out: Path, tmp_path: Path) -> Path:
    env = {"PATH": f"{plugins}:{CLI.parent}:{os.environ.get('PATH', '')}", "PULUMI_HOME": str(tmp_path / "home"),
           "PULUMI_SKIP_UPDATE_CHECK": "true"}
    output = _run([str(CLI), "package", "gen-sdk", str(SCHEMA), "--language", language, "--out", str(out)], ROOT, env)
    assert f"SDK has been written to {out / language}" in output
    return out / language


def test_typescript_sdk_is_generated_and_compiles_against_pulumi_from_npm(codegen_plugins: Path,
                                                                         tmp_path: Path) -> None:
    _need("node", "npm")
    sdk = gen_sdk(codegen_plugins, "nodejs", tmp_path / "sdk", tmp_path)
    package = json.loads((sdk / "package.json").read_text())
    assert package["pulumi"] == {"resource": True, "name": "smh", "version": package["version"]}
    deps = {"dependencies": package["dependencies"], "devDependencies": package["devDependencies"]}
    node = CACHE / f"sdk-node-{hashlib.sha256(json.dumps(deps, sort_keys=True).encode()).hexdigest()[:16]}"
    if not node.exists():
        _cache_dir(node, lambda tmp: (
            (tmp / "package.json").write_text(json.dumps({"name": "smh-sdk-build-cache", "private": True, **deps})),
            _run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], tmp, timeout=900)))
    (sdk / "node_modules").symlink_to(node / "node_modules")
    (sdk / "consumer.ts").write_text(TS_CONSUMER)
    tsconfig = json.loads("\n".join(line for line in (sdk / "tsconfig.json").read_text().splitlines()
                                    if not line.strip().startswith("//")))
    tsconfig["files"].append("consumer.ts")
    (sdk / "tsconfig.json").write_text(json.dumps(tsconfig))
    _run(["node", str(node / "node_modules" / "typescript" / "bin" / "tsc"), "-p", "."], sdk)
    assert (sdk / "bin" / "mediaLibrary.js").exists() and (sdk / "bin" / "consumer.js").exists()


def test_go_sdk_is_generated_and_builds_against_the_pulumi_go_sdk(codegen_plugins: Path, tmp_path: Path) -> None:
    sdk = gen_sdk(codegen_plugins, "go", tmp_path / "sdk", tmp_path)
    base = json.loads(SCHEMA.read_text())["language"]["go"]["importBasePath"]
    assert (sdk / "smh" / "mediaLibrary.go").exists() and base.endswith("/smh")
    (sdk / "go.mod").write_text((Path(__file__).parent / "go.mod.txt").read_text())
    shutil.copy(Path(__file__).parent / "go.sum.txt", sdk / "go.sum")
    (sdk / "consumer").mkdir()
    (sdk / "consumer" / "main.go").write_text(GO_CONSUMER)
    _run(["go", "build", "./..."], sdk, {"GOFLAGS": "-mod=mod"}, timeout=1200)


PY_CONSUMER = """
import json
import pulumi
import pulumi_smh as smh

seen = []


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        seen.append([args.typ, args.name, dict(args.inputs)])
        return args.name + "-id", dict(args.inputs)

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks(), preview=False)
lib = smh.MediaLibrary("media-library", library_name="photos", bucket="photos-1250000000",
                       bucket_region="ap-guangzhou", multi_tenant=True)
space = smh.Space("space-alice", library_id=lib.id, multi_album=True)


@pulumi.runtime.test
def check():
    return pulumi.Output.all(lib.id, space.id).apply(lambda _: print(json.dumps(seen)))


check()
"""


def test_python_sdk_is_generated_and_registers_the_plugin_types(codegen_plugins: Path, tmp_path: Path) -> None:
    """Python is generated by the bootstrap's own pulumi-language-python; run under the SDK's mocks (the project's
    Python programs use the dynamic resources, so this SDK is an extra, for programs that want the plugin)."""
    sdk = gen_sdk(codegen_plugins, "python", tmp_path / "sdk", tmp_path)
    # The generated package's own requirements beyond pulumi (setup.py: parver, semver), once into the cache.
    deps = CACHE / "sdk-python-deps"
    if not deps.exists():
        _cache_dir(deps, lambda tmp: _run([str(ROOT / ".venv" / "bin" / "python"), "-m", "pip", "install", "-q",
                                           "--disable-pip-version-check", "--target", str(tmp), "parver>=0.2.1",
                                           "semver>=2.8.1"], tmp_path, timeout=600))
    site = tmp_path / "site"  # installed, not just on the path: the package reads its own version from its metadata
    _run([str(ROOT / ".venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
          "--no-deps", "--no-build-isolation", "--target", str(site), str(sdk)], tmp_path, timeout=600)
    (tmp_path / "consumer.py").write_text(PY_CONSUMER)
    env = {"PYTHONPATH": f"{site}:{deps}"}
    out = _run([str(ROOT / ".venv" / "bin" / "python"), str(tmp_path / "consumer.py")], tmp_path, env)
    seen = json.loads(out.strip().splitlines()[-1])
    assert [(t, n) for t, n, _ in seen] == [("smh:index:MediaLibrary", "media-library"), ("smh:index:Space",
                                                                                          "space-alice")]
    assert seen[0][2]["library_name"] == "photos" and seen[1][2]["library_id"] == "media-library-id"
