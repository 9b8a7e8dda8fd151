"""The filter: route papers to the list's topics and judge how well they fit the list (pure)."""
