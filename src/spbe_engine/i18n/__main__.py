import sys

from .catalog import main

sys.exit(main())
