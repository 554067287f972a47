"""Where the journeys keep the screenshots they take on the way.

The pictures in docs/screens/ are refreshed on purpose, not by every test run (a run would otherwise leave the
checkout dirty with images that differ by a few anti-aliased pixels): `ESTATEWALK_SCREENS=docs/screens ./dev test
tests/browser` writes them there; otherwise they go to a scratch folder, so the code that takes them still runs.
"""

import os
import tempfile
from pathlib import Path

SCREENS = Path(os.environ.get("ESTATEWALK_SCREENS") or Path(tempfile.gettempdir()) / "estatewalk-screens").resolve()
