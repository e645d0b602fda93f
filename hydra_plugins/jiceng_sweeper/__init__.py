"""jiceng's Hydra sweeper: resumable, batched, failure-tolerant sweeps (see `sweeper`)."""
