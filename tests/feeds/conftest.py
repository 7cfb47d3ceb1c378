from tests.api.conftest import (  # noqa: F401 - fixtures
    agency,
    consultation,
    official,
    plan,
)
