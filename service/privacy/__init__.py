"""Privacy that holds: the retention purge, an attendee's complete export, and an administrator's search,
export and erasure of one person across every event (`erase_person`, which other domains may call)."""
