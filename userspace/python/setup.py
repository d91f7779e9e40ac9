# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Build the shmregion Python binding (the C extension over libshmregion).

    pip install userspace/python     from a clone (libshmregion is built in)
    make -C userspace python         for the test VM, against the built library

Where libshmregion comes from: SHMR_LIB_DIR (a directory with
libshmregion.so; the Makefile sets it, and SHMR_INCLUDE_DIR), else the
installed library if pkg-config knows it, else its source from this tree
compiled into the extension.
"""

import os
import shlex
import subprocess

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
lib_src = os.path.normpath(os.path.join(here, "..", "lib"))
uapi = os.path.normpath(os.path.join(here, "..", "..", "include", "uapi"))
version = open(os.path.join(here, "..", "..", "VERSION")).read().strip() \
    if os.path.exists(os.path.join(here, "..", "..", "VERSION")) else "0"


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args, "shmregion"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


ext = dict(sources=["shmregion/_shmregion.c"],
           extra_compile_args=["-std=gnu11", "-Wall", "-Wextra",
                               "-fvisibility=hidden"])
if os.environ.get("SHMR_LIB_DIR"):
    ext.update(include_dirs=[os.environ.get("SHMR_INCLUDE_DIR", lib_src)],
               library_dirs=[os.environ["SHMR_LIB_DIR"]],
               libraries=["shmregion"])
elif pkg_config("--exists") is not None:
    ext.update(extra_compile_args=ext["extra_compile_args"] +
               pkg_config("--cflags"),
               extra_link_args=pkg_config("--libs"))
else:
    ext["sources"].append(os.path.join(lib_src, "libshmregion.c"))
    ext.update(include_dirs=[lib_src, uapi],
               define_macros=[("_GNU_SOURCE", None),
                              ("_FILE_OFFSET_BITS", "64")])

setup(
    name="shmregion",
    version=version,
    description="Named shared-memory regions with a wait-on-update signal",
    license="LGPL-2.1-or-later OR MIT",
    packages=["shmregion"],
    package_data={"shmregion": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("shmregion._shmregion", **ext)],
    python_requires=">=3.9",
)
