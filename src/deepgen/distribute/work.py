"""Whether a member's saved outputs are the work a run would do now: what ``kedro distribute``
checks, in the client, before it queues anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from .members import Member


@dataclass(frozen=True)
class Work:
    """What a member would train with: its parameter block and the ``provenance`` of its training."""

    parameters: dict[str, Any]
    provenance: dict[str, Any]


def expected_work(member: Member, parameters: dict, environment: str) -> Work:
    """``member``'s work under the run's ``parameters`` (conf, environment and ``--params``
    merged): its family's block with the member's changes, validated as its run would validate
    it. An invalid value stops here, naming its key, before any task is queued."""
    from deepgen.families import FAMILIES
    from deepgen.hooks.bounds import check_seed
    from deepgen.params import DataParams
    from deepgen.report import provenance

    family = FAMILIES[member.family]
    block = {**parameters.get(family.name, {}), **dict(member.changes)}
    params = _validated(family.params, block, family.name)
    data = _validated(DataParams, parameters.get("data", {}), "data")
    try:
        check_seed(member.seed)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    return Work(params.model_dump(), provenance(data.model_dump(), member.seed, environment))


def _validated(block_class, values: dict, name: str):
    try:
        return block_class(**values)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, (name, *e['loc'])))}: {e['msg']}" for e in error.errors())
        raise click.ClickException(f"The parameters do not make a valid block: {problems}.") from None


def why_rerun(report: Path, work: Work) -> list[str] | None:
    """None if the report at ``report`` is the same work (the member is reused); otherwise what
    differs, in words (empty: no report yet)."""
    from deepgen.report import ModelReport

    if not report.is_file():
        return []
    try:
        saved = ModelReport.model_validate_json(report.read_bytes())
    except (OSError, ValidationError) as error:
        return [f"its report does not read ({type(error).__name__})"]
    differences = saved.differences(work.parameters, work.provenance)
    return differences or None
