from typing import Any

import pytest

from beatbook.property.models import StorageLocation


@pytest.fixture
def shelf(db: Any) -> StorageLocation:
    return StorageLocation.objects.create(code="PR-A-01", room="Property room A", shelf="1")
