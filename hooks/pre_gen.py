"""copier task: the pre-gen hook. Thin on purpose: the work is in the serving2apps package."""

import sys

from _package import TEMPLATE_ROOT, hooks_module

hooks = hooks_module()
sys.exit(hooks.pre_gen(TEMPLATE_ROOT, sys.argv[1:]))
