"""The wardrobe: items and collections (``/wardrobe``, ``/collections``)."""

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import (
    BeforeValidator,
    Field,
    StringConstraints,
)

from imagify.models.common import ApiInput, ApiModel, example
from imagify.models.fields import EXAMPLE_IMAGE, DataImage, Description, PatchInput, Tags, Title, UtcDatetime


class SaveToWardrobeInput(ApiInput):
    model_config = example({"title": "Sage linen suit", "tags": ["summer", "linen"]})

    title: Title | None = None
    description: Description | None = None
    collection_id: Annotated[UUID | None, Field(description="a collection of the caller's")] = None
    tags: Tags | None = None


class WardrobeItemInput(ApiInput):
    model_config = example({"imageBase64": EXAMPLE_IMAGE, "title": "Linen shirt", "tags": ["summer"]})

    image_base64: DataImage
    title: Title | None = None
    description: Description | None = None
    collection_id: Annotated[UUID | None, Field(description="a collection of the caller's")] = None
    tags: Tags | None = None


class WardrobeItemPatch(PatchInput):
    """Only the fields sent change; null clears `title`, `description` or `collectionId` (which takes
    the item out of its collection). `tags` may not be null: send `[]` to clear them."""

    model_config = example({"title": "Linen shirt, white", "tags": ["summer", "linen"]})

    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset({"tags"})

    title: Annotated[Title | None, Field(description="null clears the title")] = None
    description: Annotated[Description | None, Field(description="null clears the description")] = None
    collection_id: Annotated[UUID | None, Field(description="null takes the item out of its collection")] = None
    tags: Tags | None = None


class _WardrobeItemFields(ApiModel):
    id: UUID
    user_id: UUID
    generation_id: Annotated[UUID | None, Field(description="the generation it was saved from, if any")]
    title: str | None
    description: str | None
    collection_id: UUID | None
    tags: Annotated[list[str], BeforeValidator(lambda tags: tags or [])]  # the frontend may store null
    created_at: UtcDatetime
    updated_at: UtcDatetime | None


class WardrobeItemSummary(_WardrobeItemFields):
    """A wardrobe item in a list: everything but the image."""


class WardrobeItem(_WardrobeItemFields):
    """A wardrobe item with its image."""

    image_base64: Annotated[str, Field(description="the image as a base64 data URI")]


CollectionName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="the collection's name, 1 to 255 characters after trimming"),
]


class CollectionInput(ApiInput):
    model_config = example({"name": "Summer"})

    name: CollectionName
    cover_image_base64: DataImage | None = None


class CollectionPatch(PatchInput):
    model_config = example({"name": "Summer 2027"})

    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset({"name"})

    name: CollectionName | None = None
    cover_image_base64: Annotated[DataImage | None, Field(description="null removes the cover")] = None


class _CollectionFields(ApiModel):
    id: UUID
    name: str
    item_count: Annotated[int, Field(description="how many wardrobe items are in it")]
    created_at: UtcDatetime


class Collection(_CollectionFields):
    """A wardrobe collection, without its cover image."""


class CollectionWithCover(_CollectionFields):
    """A wardrobe collection with its cover image (when the caller asked for it)."""

    cover_image_base64: Annotated[str | None, Field(description="the cover as a base64 data URI, if set")]
