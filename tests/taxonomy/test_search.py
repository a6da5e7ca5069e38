"""Finding a category by what a person types."""

import pytest

from gongzhi.taxonomy.models import Category
from gongzhi.taxonomy.services import search_categories

pytestmark = pytest.mark.django_db


def names(results):
    return [c.name for c in results]


def test_manhole_cover():
    results = search_categories("井盖", limit=10)
    assert results[0].name == "井盖缺失破损"


def test_keyword_finds_a_category_whose_name_lacks_it():
    assert "井盖缺失破损" in names(search_categories("窨井"))
    assert "劳资纠纷" in names(search_categories("欠薪"))


def test_path_names_match():
    results = search_categories("城乡建设 城管执法")
    assert results[0].full_name == "城乡建设 / 城市建设和市政管理 / 城管执法"


def test_every_word_must_match():
    assert search_categories("井盖 婚姻") == []


def test_exact_name_first_then_more_specific():
    results = search_categories("矛盾纠纷", limit=5)
    assert results[0].name == "矛盾纠纷"
    results = search_categories("纠纷", limit=50)
    found = names(results)
    assert "邻里纠纷" in found and "土地权属纠纷" in found


def test_limit_and_empty_query():
    assert len(search_categories("其他", limit=3)) == 3
    assert search_categories("   ") == []
    assert search_categories("井盖", limit=0) == []


def test_disabled_categories_and_their_children_are_not_offered():
    Category.objects.filter(name="道路与井盖", level=1).update(enabled=False)
    assert "井盖缺失破损" not in names(search_categories("井盖"))


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("manhole", "井盖缺失破损"),
        ("street light", "路灯损坏"),
        ("noise", "邻里纠纷"),
        ("pothole", "路面坑洼"),
    ],
)
def test_the_daily_categories_are_found_in_english_too(typed, first):
    # The English form's placeholder suggests these words: they must find something.
    assert search_categories(typed)[0].name == first


def test_excluded_trees_are_left_out_by_the_search_before_the_limit():
    first = search_categories("其他", limit=5)[0]
    tree = "/" + first.path.strip("/").split("/")[0] + "/"
    found = search_categories("其他", limit=5, exclude_paths=[tree])
    assert len(found) == 5
    assert all(not c.path.startswith(tree) for c in found)
