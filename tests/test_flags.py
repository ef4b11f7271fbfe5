"""The Flag record: its JSON shape reads back as the same flag."""
from coach.flags import Flag


def test_from_dict_reads_back_to_dict():
    f = Flag("distancing", "powerless", 3, 19, "nothing I can do", "why", "try", "warning",
             "rules", rule="powerless.x", score=0.5)
    assert Flag.from_dict(f.to_dict(full=True)) == Flag(**{**f.__dict__, "extra": {}})
    short = Flag.from_dict(f.to_dict())
    assert short.to_dict() == f.to_dict() and short.rule == "" and short.score == 1.0
