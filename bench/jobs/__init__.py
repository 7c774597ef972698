"""The pipeline bench's jobs, one module each (bench/pipeline.py runs them).

tap      the tap alone against the loop floor (bench/floor.py)
load     tap-restspec | target-postgres against the COPY floor (bench/copy_floor.py)
streams  N streams against one, at a latency
startup  tap-restspec --about (and target-postgres --about) against floor.py --help
"""
