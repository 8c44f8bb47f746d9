import os
import shutil

import pytest

from engines import build_go_renderer, make_template_repo


@pytest.fixture(scope="session")
def go_renderer(tmp_path_factory):
    if shutil.which("go") is None:
        if os.environ.get("CI"):
            pytest.fail("go is not installed; .ci/run installs Debian's golang-go")
        pytest.skip("go is not installed (apt-get install golang-go): the bundle init reference renderer needs it")
    return build_go_renderer(tmp_path_factory.mktemp("gorender"))


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory):
    return make_template_repo(tmp_path_factory.mktemp("template-src") / "serving2apps-template")
