"""The Flask-free domain of Integra: models, workflow, deadlines, services."""
