"""Events (workshops, klantarena's, learning-network sessions, information and circle meetings),
their participants, and the evaluations they lead to through the same engine as contacts."""
