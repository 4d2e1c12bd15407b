from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "forms"
DONGKENG = DATA / "2024" / "dongkeng-fulian-2024.txt"
ZHANJIANG_2023 = DATA / "2023" / "zhanjiang-renshe-2023.xlsx"
ZHANJIANG_2024 = DATA / "2024" / "zhanjiang-renshe-2024.xlsx"


@pytest.fixture(scope="session")
def bundled():
    """All bundled real forms, loaded once."""
    import perfaudit as pa

    return pa.load(DATA)
