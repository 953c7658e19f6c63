"""Demo data: `manage.py seed_demo` loads demo companies, people, a catalogue and orders through
every app's services. It may import any app; no app imports it."""
