# SPDX-License-Identifier: GPL-2.0
"""Every Python example in userspace/python/README.md runs as it stands."""

import os
import re
import subprocess
import sys

import pytest

_readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md")
with open(_readme) as f:
    _examples = re.findall(r"```python\n(.*?)```", f.read(), re.S)


def test_readme_has_examples():
    assert len(_examples) >= 4


@pytest.mark.parametrize("code", _examples,
                         ids=[f"example{i + 1}" for i in range(len(_examples))])
def test_readme_example_runs(code, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
