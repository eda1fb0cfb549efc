"""web/phones.js formatPhone, run by Node: the console's numbers as people read them
(issue 13: "189 0342 3667", "0755-8135 1929")."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PHONES_JS = Path(__file__).resolve().parents[2] / "web" / "phones.js"

CASES = [
    ("+8618903423667", "189 0342 3667"),
    ("+8613800138001", "138 0013 8001"),
    ("+8675581351929", "0755-8135 1929"),
    ("+861065123456", "010-6512 3456"),
    ("+862087654321", "020-8765 4321"),
    ("+8657187021234", "0571-8702 1234"),
    ("+867558135192", "0755-813 5192"),  # a 7-digit local number
    ("+864008208820", "400 820 8820"),
    ("+4930123456789", "+4930123456789"),  # other countries keep E.164
    ("0755 8135 1929", "0755 8135 1929"),  # not E.164: shown as it is
    ("", ""),
    (None, ""),
]


@pytest.fixture(scope="module")
def format_phone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    folder = tmp_path_factory.mktemp("phones")
    # An .mjs copy: Node reads web/'s plain .js files as CommonJS (there is no package.json).
    module = folder / "phones.mjs"
    module.write_text(PHONES_JS.read_text(encoding="utf-8"), encoding="utf-8")
    script = (f"import {{ formatPhone }} from {json.dumps(module.as_uri())};"
              f"const inputs = {json.dumps([given for given, _ in CASES])};"
              "console.log(JSON.stringify(inputs.map((x) => formatPhone(x))));")
    out = subprocess.run([node, "--input-type=module", "-e", script], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return dict(zip([json.dumps(given) for given, _ in CASES], json.loads(out), strict=True))


@pytest.mark.parametrize(("given", "shown"), CASES)
def test_format_phone(format_phone: dict[str, str], given: str | None, shown: str) -> None:
    assert format_phone[json.dumps(given)] == shown
