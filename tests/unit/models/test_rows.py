"""Row models: what a table holds, read from psycopg's rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from imagify.models import rows
from tests.unit.models.support import CREATED, error_types, generation_row, only, user_row, wardrobe_item_row

COLUMNS_AND_ROWS: list[tuple[tuple[str, ...], type[BaseModel]]] = [
    (rows.USER_COLUMNS, rows.UserRow),
    (rows.ACCOUNT_COLUMNS, rows.AccountRow),
    (rows.SESSION_COLUMNS, rows.SessionRow),
    (rows.GENERATION_COLUMNS, rows.GenerationRow),
    (rows.GENERATION_LIST_COLUMNS, rows.GenerationSummaryRow),
    (rows.WARDROBE_ITEM_COLUMNS, rows.WardrobeItemRow),
    (rows.WARDROBE_ITEM_LIST_COLUMNS, rows.WardrobeItemSummaryRow),
    (rows.WARDROBE_COLLECTION_COLUMNS, rows.WardrobeCollectionRow),
    (rows.WARDROBE_COLLECTION_LIST_COLUMNS, rows.WardrobeCollectionSummaryRow),
    (rows.ADVISOR_SESSION_COLUMNS, rows.AdvisorSessionRow),
    (rows.VERIFICATION_TOKEN_COLUMNS, rows.VerificationTokenRow),
]


@pytest.mark.parametrize(("columns", "model"), COLUMNS_AND_ROWS)
def test_each_column_tuple_names_exactly_the_fields_of_its_row_model(columns, model):
    # Given a column tuple used to build SELECT lists
    # Then it names each field of its row model once, and nothing else
    assert len(set(columns)) == len(columns)
    assert set(columns) == set(model.model_fields)


def test_list_columns_leave_out_the_image_columns():
    # Given the column lists for list endpoints
    # Then the large base64 columns are not selected
    assert "result_image_base64" not in rows.GENERATION_LIST_COLUMNS
    assert "image_base64" not in rows.WARDROBE_ITEM_LIST_COLUMNS
    assert "cover_image_base64" not in rows.WARDROBE_COLLECTION_LIST_COLUMNS
    # And the full lists are the list columns plus the image
    assert set(rows.GENERATION_COLUMNS) - set(rows.GENERATION_LIST_COLUMNS) == {"result_image_base64"}
    assert set(rows.WARDROBE_ITEM_COLUMNS) - set(rows.WARDROBE_ITEM_LIST_COLUMNS) == {"image_base64"}


def test_a_user_row_is_built_from_a_psycopg_dict_row():
    # Given a dict row as psycopg's dict_row factory returns it
    row = user_row(email_verified=CREATED)

    # When it is validated
    user = rows.UserRow.model_validate(row)

    # Then every column is there with its Python type
    assert user.id == row["id"]
    assert user.email_verified == CREATED
    assert user.password_hash == row["password_hash"]
    assert user.role == "user"


def test_a_row_can_be_built_from_an_object_with_attributes():
    # Given an object whose attributes are the columns
    class Record:
        identifier = "ada@example.com"
        token = "t0k3n"
        expires = CREATED

    # When it is validated
    token = rows.VerificationTokenRow.model_validate(Record())

    # Then the row holds its values
    assert token.token == "t0k3n"


def test_rows_are_immutable():
    # Given a row
    user = rows.UserRow.model_validate(user_row())

    # When code tries to change it
    # Then it is refused
    with pytest.raises(ValidationError):
        user.tokens = 0  # type: ignore[misc]


def test_a_list_row_refuses_a_selected_image_column():
    # Given a full generations row (the image was selected too)
    row = generation_row()

    # When it is validated as a list row
    # Then the unexpected column is refused: list queries must use GENERATION_LIST_COLUMNS
    with pytest.raises(ValidationError) as caught:
        rows.GenerationSummaryRow.model_validate(row)
    assert error_types(caught.value) == [(("result_image_base64",), "extra_forbidden")]
    # And the list columns validate
    assert rows.GenerationSummaryRow.model_validate(only(row, rows.GENERATION_LIST_COLUMNS)).mode == "tryon"


def test_a_row_missing_a_column_is_refused():
    # Given a row without its image column
    row = only(wardrobe_item_row(), rows.WARDROBE_ITEM_LIST_COLUMNS)

    # When it is validated as a full row
    # Then the missing column is reported
    with pytest.raises(ValidationError) as caught:
        rows.WardrobeItemRow.model_validate(row)
    assert error_types(caught.value) == [(("image_base64",), "missing")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "a" * 250 + "@b.com"),  # varchar(255)
        ("role", "owner"),
        ("plan", "enterprise"),
        ("created_at", datetime(2025, 1, 1, tzinfo=UTC)),  # the columns hold naive UTC
    ],
)
def test_a_user_row_refuses_values_its_columns_cannot_hold(field, value):
    # Given a user row with a value out of its column's domain
    # When it is validated
    # Then it is refused
    with pytest.raises(ValidationError):
        rows.UserRow.model_validate(user_row(**{field: value}))


def test_enum_columns_take_only_the_enum_values():
    # Given a generation row with an unknown status
    row = only(generation_row(status="cancelled"), rows.GENERATION_LIST_COLUMNS)

    # When it is validated
    # Then it is refused
    with pytest.raises(ValidationError):
        rows.GenerationSummaryRow.model_validate(row)
