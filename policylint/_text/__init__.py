"""What a post's text is made of: normalised views with offset maps, entities, platform lengths."""
