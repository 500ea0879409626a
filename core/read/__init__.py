"""Read models: the officer's inbox and due views, and the statistics."""
