// Parses an iCalendar text from stdin with Mozilla's ical.js (Thunderbird's parser) and prints, as JSON,
// the calendar's METHOD and each VEVENT's UID, SEQUENCE, STATUS, SUMMARY and start/end in UTC.
import ICAL from "ical.js";

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;

const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString().replace(/\.000Z$|Z$/, "Z");
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    sequence: event.sequence ?? 0,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    start: utc(event.startDate),
    end: utc(event.endDate),
  };
});
console.log(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }));
