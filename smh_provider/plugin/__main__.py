"""`python -m smh_provider.plugin <engine address>`: what bin/pulumi-resource-smh runs."""

import sys

from smh_provider.plugin.server import main

sys.exit(main())
