"""Factories the process tests share: small worlds on a fixed seed."""

from __future__ import annotations

import numpy as np
import pytest

from sim import GovernanceModel
from sim.processes.councils import Deliberation
from sim.processes.social_orgs import (
    SocialOrganisations,
)

SMALL = {"world.communities": 2, "burn_in": 0, "output.progress": False}


@pytest.fixture(name="model")
def _model_fixture():  # noqa: ANN202
    return model


@pytest.fixture(name="councils")
def _councils_fixture():  # noqa: ANN202
    return councils


@pytest.fixture(name="orgs")
def _orgs_fixture():  # noqa: ANN202
    return orgs


@pytest.fixture(name="run_for")
def _run_for_fixture():  # noqa: ANN202
    return run_for


@pytest.fixture(name="detection_delay")
def _detection_delay_fixture():  # noqa: ANN202
    return detection_delay


def model(scenario: str = "chengdu_2014", seed: int = 3, **over: object) -> GovernanceModel:
    return GovernanceModel(scenario, rng=seed, **{**SMALL, **over})


def councils(m: GovernanceModel):  # noqa: ANN201
    return m.process(Deliberation).total


def orgs(m: GovernanceModel) -> SocialOrganisations:
    return m.process(SocialOrganisations)


def run_for(m: GovernanceModel, weeks: int) -> GovernanceModel:
    for _ in range(weeks):
        m.step()
    return m


def detection_delay(m: GovernanceModel) -> tuple[float, float]:
    led = m.ledger
    return float(led.detected.mean()), float(np.nanmean(led.entry_time - led.arise_time))
