"""Training: datasets, the trainer loop, metrics, checkpoints. Never imports Qt."""
