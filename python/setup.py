"""Build the extension module indaga._indaga against the libindaga of this tree.

Linking: the static library (build/libindaga.a, whose objects CMake compiles
with -fPIC), so the installed module depends on nothing of the build tree,
only on the Debian libraries libindaga uses (read from the build's
indaga.pc). Its symbols stay inside the module (-Wl,--exclude-libs,ALL).

Where the library is:
  INDAGA_SOURCE_DIR  the indaga tree (default: the parent of this folder)
  INDAGA_BUILD_DIR   its CMake build (default: SOURCE/build, as `make build`)
When the build has no libindaga.a yet, it is configured and built first
(cmake, RelWithDebInfo, as `make build` does). After changing the library,
rebuild it (`make build`, or `make python`, which does both).

INDAGA_PY_WERROR=1 adds -Werror (the tests build with it).
"""
import os
import shlex
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.environ.get("INDAGA_SOURCE_DIR") or os.path.dirname(HERE))
BUILD = os.path.abspath(os.environ.get("INDAGA_BUILD_DIR") or os.path.join(SOURCE, "build"))


def fail(msg):
    sys.stderr.write("indaga setup.py: %s\n" % msg)
    sys.exit(2)


def run(cmd):
    sys.stderr.write("indaga setup.py: %s\n" % " ".join(shlex.quote(c) for c in cmd))
    try:
        subprocess.run(cmd, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        fail("%s failed: %s" % (cmd[0], e))


def library():
    """The path of libindaga.a, building it first when it is missing."""
    if not os.path.isfile(os.path.join(SOURCE, "include", "indaga.h")):
        fail("no indaga tree at %s (include/indaga.h missing); set INDAGA_SOURCE_DIR" % SOURCE)
    lib = os.path.join(BUILD, "libindaga.a")
    if not os.path.isfile(lib):
        if not os.path.isfile(os.path.join(BUILD, "CMakeCache.txt")):
            run(["cmake", "-S", SOURCE, "-B", BUILD, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
        run(["cmake", "--build", BUILD, "--target", "indaga_static"])
    if not os.path.isfile(lib):
        fail("the build at %s made no libindaga.a" % BUILD)
    return lib


def dependencies():
    """The -l libraries the static library needs, from the build's indaga.pc."""
    pc = os.path.join(BUILD, "indaga.pc")
    if not os.path.isfile(pc):
        fail("no %s: configure the build with cmake first" % pc)
    try:
        out = subprocess.run(["pkg-config", "--static", "--libs-only-l", pc], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        fail("pkg-config --static --libs-only-l %s failed: %s" % (pc, e))
    libs = [f[2:] for f in out.split() if f.startswith("-l") and f != "-lindaga"]
    return libs + ["m"]


def features():
    """-DPYI_HAVE_* for the newer parts of the C API that include/indaga.h has
    (src/index.c says what each one changes)."""
    with open(os.path.join(SOURCE, "include", "indaga.h"), encoding="utf-8") as f:
        header = f.read()
    probes = {
        "PYI_HAVE_MATCH_MODE": "INDAGA_MATCH_ALL",
        "PYI_HAVE_TOTAL_EXACT": "indaga_results_total_exact(",
        "PYI_HAVE_ALL_WORDS": "indaga_results_all_words(",
        "PYI_HAVE_SUGGESTION": "indaga_results_corrected(",
        "PYI_HAVE_SORT": "indaga_results_facet(",
        "PYI_HAVE_OPEN_MANY": "indaga_index_open_many(",
    }
    return [(macro, "1") for macro, name in probes.items() if name in header]


SOURCES = ["module.c", "errors.c", "text.c", "hit.c", "index.c", "writer.c", "cancel.c", "analyze.c"]
FLAGS = ["-std=c11", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wshadow", "-Wstrict-prototypes", "-Wmissing-prototypes",
         "-Wconversion", "-Wformat=2", "-Wno-missing-field-initializers",
         "-Wno-cast-function-type"]
if os.environ.get("INDAGA_PY_WERROR") == "1":
    FLAGS.append("-Werror")


class build_ext_indaga(build_ext):
    """build_ext that first finds (or builds) libindaga.a and its dependencies."""

    def run(self):
        lib, libs = library(), dependencies()
        for ext in self.extensions:
            ext.define_macros = ext.define_macros + features()
            ext.extra_objects = [lib]
            ext.libraries = libs
            ext.depends = ext.depends + [lib]
        super().run()


setup(
    packages=["indaga"],
    package_data={"indaga": ["py.typed", "*.pyi"]},
    cmdclass={"build_ext": build_ext_indaga},
    ext_modules=[
        Extension(
            "indaga._indaga",
            sources=[os.path.join("src", s) for s in SOURCES],
            depends=[os.path.join("src", "pyindaga.h"), os.path.join(SOURCE, "include", "indaga.h")],
            include_dirs=[os.path.join(SOURCE, "include")],
            extra_compile_args=FLAGS,
            extra_link_args=["-Wl,--exclude-libs,ALL"],
        )
    ],
)
