import numpy as np
import pytest

from drillsim.spec.distributions import KINDS, Distribution, parse_distribution
from drillsim.spec.durations import format_minutes, parse_duration


@pytest.mark.parametrize(("text", "minutes"), [(5, 5.0), ("30s", 0.5), ("2 min", 2.0), ("1.5h", 90.0),
                                                ("2h5min", 125.0), ("1m30s", 1.5),
                                                ("2小时", 120.0), ("1d", 1440.0)])
def test_durations(text, minutes):
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize("bad", ["soon", "-3min", -1, True, "5 parsecs", None])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_format_minutes():
    assert format_minutes(1.5) == "1m30s"
    assert format_minutes(61) == "1h01m00s"


@pytest.mark.parametrize("spec", [
    {"uniform": [3, 1]}, {"triangular": [1, 5, 4]}, {"exponential": 0}, {"lognormal": {"median": 9, "p90": 5}},
    {"lognormal": {"median": 5}}, {"empirical": []}, {"gamma": 3}, {"uniform": [1, 2], "fixed": 3},
])
def test_impossible_distributions(spec):
    with pytest.raises(ValueError):
        parse_distribution(spec)


def test_lognormal_by_median_and_p90():
    d = parse_distribution({"lognormal": {"median": 5, "p90": 9}})
    draw = d.sampler()
    rng = np.random.default_rng(1)
    xs = np.array([draw(rng) for _ in range(40_000)])
    assert np.median(xs) == pytest.approx(5, rel=0.03)
    assert np.quantile(xs, 0.9) == pytest.approx(9, rel=0.03)
    assert xs.mean() == pytest.approx(d.mean(), rel=0.03)


@pytest.mark.parametrize("spec", [3, {"fixed": 3}, {"uniform": [1, 3]}, {"triangular": [1, 2, 4]},
                                  {"exponential": 5}, {"empirical": [1, 2, 9]}])
def test_means(spec):
    d = parse_distribution(spec)
    rng = np.random.default_rng(2)
    draw = d.sampler()
    assert np.mean([draw(rng) for _ in range(30_000)]) == pytest.approx(d.mean(), rel=0.05)


def test_round_trip_through_file_data():
    d = parse_distribution({"lognormal": {"median": 5, "p90": 9}})
    assert parse_distribution(d.to_data()) == d


@pytest.mark.parametrize("spec", [3.0, {"uniform": [1.0, 3.0]}, {"triangular": [1.0, 2.0, 4.0]},
                                  {"exponential": 5.0}, {"lognormal": {"median": 5.0, "p90": 9.0}},
                                  {"empirical": [1.0, 2.0, 9.0]}])
def test_every_kind_writes_what_it_reads(spec):
    d = parse_distribution(spec)
    assert d.to_data() == spec
    assert parse_distribution(d.to_data()) == d


def test_kinds_with_the_same_parameters_differ():
    assert parse_distribution({"fixed": 3}) != parse_distribution({"exponential": 3})


def test_a_kind_is_one_registered_class(monkeypatch):
    class Gamma(Distribution):
        __slots__ = ()
        kind = "gamma"
        names = ("shape", "scale")

        def sampler(self):
            return lambda rng: 0.0

    monkeypatch.setitem(KINDS, "gamma", Gamma)
    d = parse_distribution({"gamma": {"shape": 2, "scale": "30s"}})
    assert d == Gamma((2.0, 0.5)) and d.to_data() == {"gamma": [2.0, 0.5]}
    with pytest.raises(ValueError, match="gamma takes shape, scale; got shape"):
        parse_distribution({"gamma": {"shape": 2}})


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown distribution 'gamma'; known: fixed, uniform, triangular, "
                                         "exponential, lognormal, empirical"):
        parse_distribution({"gamma": 3})
