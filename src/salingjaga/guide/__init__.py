"""Election Guide Center: official guide content, notice tags on election content, reach."""
