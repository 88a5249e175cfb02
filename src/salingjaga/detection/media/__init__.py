"""Media signals: PDQ perceptual hashes, video keyframes, Content Credentials (C2PA)."""
