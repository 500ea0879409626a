"""Evidence files: inspecting and removing hidden metadata."""
