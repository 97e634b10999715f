"""Events: conferences and workshops, their capacity (seats) and registration windows."""
