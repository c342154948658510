from conftest import db_content, ok, refused


def test_demo_twice_adds_nothing_the_second_time():
    ok("demo")
    before = db_content()
    r = ok("demo")
    assert "already there" in r.err
    assert db_content() == before


def test_unknown_record_is_not_found(demo):
    r = refused("account", "show", "Nobody", "--json", error_code="not_found")
    assert "Nobody" in r.err


def test_unknown_option_is_a_usage_error():
    refused("account", "list", "--bogus", code=2)
