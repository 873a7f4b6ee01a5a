"""An application's life after submission: events, state, due dates, credit (R19–R25)."""
