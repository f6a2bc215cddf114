"""Rule families. Each handler checks everything first, then changes the state; a refusal changes nothing."""
