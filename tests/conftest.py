"""Fixtures and helpers shared by the tests of every area."""

import json
import zipfile

import pytest


def _rewrite_model_json(path, edit):
    """Rewrite ``path``'s model.json through ``edit(document)``, keeping the other members."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members["model.json"])
    edit(document)
    members["model.json"] = json.dumps(document).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.fixture
def rewrite_model_json():
    """A function ``(path, edit)`` that edits a model file's model.json in place."""
    return _rewrite_model_json


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """One torch thread for the whole run: tiny models train faster so, above all on a
    busy machine. Tests of the thread settings set their own."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
