"""Dagster orchestration of this repository's Meltano project (docs/scaling.md).

Runs in its own virtualenv (scripts/orchestrator-venv, from requirements.txt): Dagster
and dagster-meltano pin packages of their own, apart from the tap's and Meltano's.
"""
