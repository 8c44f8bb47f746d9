"""copier migration to template 2.0.0 (scaffold v2). Thin on purpose: the work is in the serving2apps package."""

import sys

from _package import hooks_module

hooks = hooks_module()
sys.exit(hooks.upgrade_scaffold(sys.argv[1:]))
