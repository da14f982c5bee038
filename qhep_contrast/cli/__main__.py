"""``python -m qhep_contrast.cli`` runs the ``qhep`` console script."""

import sys

from qhep_contrast.cli.main import main

sys.exit(main())
