"""Search finds the market's providers and contracts, as it finds plans and measures."""

from carestat.core.search import search


def _found(access, query):
    return {(hit.kind, hit.title) for g in search(access, query) for hit in g.hits}


def test_search_finds_a_contract_by_a_word_of_its_title_and_by_its_reference(loaded):
    assert ("Contract", "Independent advocacy") in _found(loaded, "advocacy")
    assert ("Contract", "Carers' support") in _found(loaded, "DC-003")


def test_search_finds_a_provider_by_its_charity_number(loaded):
    assert _found(loaded, "1100001") == {("Provider", "Hope Advocacy")}
