"""Møteplass: the event and conference service of Kunnskapskommunen Helse Omsorg Vest and Alrek helseklynge."""
