"""Training partner staff: the practice sandbox (graded practice notices that never reach the
real queue or reports), progress, completion per region and certificates."""
