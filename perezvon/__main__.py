import sys

from perezvon.cli import main

sys.exit(main())
