from saferschools.lib.formrows import row_count


def test_the_rows_sent_are_counted_within_bounds():
    assert row_count({"action_rows": "3"}, "action", default=1, maximum=40) == 3
    assert row_count({"action_rows": "99999999999"}, "action", default=1, maximum=40) == 40
    assert row_count({"action_rows": "-2"}, "action", default=1, maximum=40) == 0


def test_a_form_not_sent_or_a_value_that_is_no_number_gives_the_default():
    assert row_count(None, "action", default=2, maximum=40) == 2
    assert row_count({}, "action", default=2, maximum=40) == 2
    assert row_count({"action_rows": "two"}, "action", default=2, maximum=40) == 2
    assert row_count({"action_rows": "9" * 5000}, "action", default=2, maximum=40) == 2
