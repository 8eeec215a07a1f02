"""The archive application: use cases, consent gate, crypto-shredding, configuration, CLI."""
