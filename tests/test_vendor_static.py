"""The front-end files: bin/vendor-static is the one list, the Makefile and the Dockerfile both
run it, and it brings every vendor/ file a template or script names (the image once lacked
cytoscape.min.js and its explorer answered 500)."""

import re
import subprocess

from tests.conftest import ROOT

VENDOR_PATH = re.compile(r"""vendor/[\w./-]+\.\w+""")


def referenced_vendor_paths() -> set[str]:
    sources = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static" / "js").rglob("*.js")]
    return {path for source in sources for path in VENDOR_PATH.findall(source.read_text())}


def test_the_script_brings_every_vendor_file_the_pages_name(tmp_path):
    referenced = referenced_vendor_paths()
    # The explorer's library among them, so an empty or broken scan cannot pass.
    assert "vendor/cytoscape.min.js" in referenced

    subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            "sh",
            str(ROOT / "bin" / "vendor-static"),
            str(ROOT / "node_modules"),
            str(tmp_path / "vendor"),
        ],
        check=True,
    )

    missing = sorted(path for path in referenced if not (tmp_path / path).is_file())
    assert not missing, f"bin/vendor-static does not bring {missing}"
    # KaTeX's stylesheet loads its fonts relative to itself.
    css = (tmp_path / "vendor/katex/katex.min.css").read_text()
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert fonts
    assert not [font for font in fonts if not (tmp_path / "vendor/katex" / font).is_file()]


def test_the_dockerfile_and_the_makefile_run_the_script():
    dockerfile = (ROOT / "Dockerfile").read_text()
    frontend, _, app = dockerfile.partition("\nFROM python")
    assert "COPY bin/vendor-static bin/" in frontend
    assert re.search(r"^RUN sh bin/vendor-static node_modules vendor$", frontend, re.M)
    assert "COPY --from=frontend /build/vendor static/vendor" in app
    # The build context keeps the script.
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not {"bin", "bin/", "bin/vendor-static"} & set(ignored)

    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("static/vendor/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "bin/vendor-static node_modules static/vendor" in recipe
    assert "cp " not in recipe
