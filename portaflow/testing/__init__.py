"""Testing your workflows: portaflow's pytest plugin (fixtures for the local engine and every backend's
offline executor). pytest loads it automatically once portaflow is installed (entry point ``pytest11``)."""
