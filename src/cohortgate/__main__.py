import sys

from cohortgate.cli import main

sys.exit(main())
