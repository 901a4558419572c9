import pytest

from knowledge_base import get_service


@pytest.fixture(scope="session")
def kb():
    """The real knowledge base over the real guide (index built once if the guide changed)."""
    return get_service()
