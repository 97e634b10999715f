"""The research and innovation prize: prizes, yearly calls, public nominations, the jury and the results."""
