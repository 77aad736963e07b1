"""The core stays pure: importing it loads neither Flask nor the database layer."""

import subprocess
import sys


def test_core_imports_neither_flask_nor_sqlalchemy():
    code = (
        "import pkgutil, importlib, sys, geoservice.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'geoservice.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted({n.split('.')[0] for n in sys.modules} & {'flask', 'sqlalchemy'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
