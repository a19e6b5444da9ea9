"""The machine description every benchmark report carries."""

from __future__ import annotations

from bench import machine


def test_a_machine_description_names_the_cpu_and_a_positive_speed_reference() -> None:
    # Given this machine
    # When it is described with a short reference loop
    described = machine.describe(n=1_000_000)

    # Then it gives the CPU count and model and the loop's seconds
    assert described["cpus"] and described["cpus"] >= 1
    assert described["cpu_model"]
    assert 0 < described["python_loop_1M_adds_s"] < 10


def test_the_reference_loop_takes_longer_for_more_work() -> None:
    # Given a loop ten times longer than another
    # When both are timed (best of three each)
    short, long = machine.python_loop_s(200_000), machine.python_loop_s(2_000_000)

    # Then the longer one takes longer
    assert long > short
